"""An OpenAI-compatible HTTP server on top of any :class:`LanguageModel`.

One model process can serve several AI-service processes (each with ``GRAPHNODE_LLM_BACKEND
=openai``), so the 16 s load and the memory are paid once, and concurrent requests from all
of them meet in the local backend's batches. Run it with::

    python -m graphnode.ai.llm.serve --backend local --port 8100

Routes: ``POST /v1/chat/completions`` (non-streaming; ``response_format`` ``text``,
``json_object`` or ``json_schema``), ``GET /v1/models``, ``GET /health``. Errors use
OpenAI's shape, ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from graphnode.ai.llm.base import (
    MAX_TOKENS_LIMIT,
    GenerationRequest,
    LanguageModel,
    LanguageModelBusyError,
    LanguageModelError,
    LanguageModelUnavailableError,
)

DEFAULT_MODEL_NAME = "smollm2-135m-instruct"
# Prompts here are a few hundred words; a megabyte is a generous bound on a request body.
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_MAX_TOKENS = 256
# OpenAI's own default; callers that want greedy decoding send 0.
DEFAULT_TEMPERATURE = 1.0
_ROLE_ALIASES = {
    "system": "system",
    "developer": "system",
    "user": "user",
    "assistant": "assistant",
}


@dataclass(frozen=True, slots=True)
class ServeSettings:
    model_name: str = DEFAULT_MODEL_NAME
    api_key: str | None = None
    manage_model: bool = True  # start and close the model with the app


MODEL = web.AppKey("model", LanguageModel)
SETTINGS = web.AppKey("serve_settings", ServeSettings)


class BadRequestError(ValueError):
    """The request body is not a chat-completions request we can run."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def _error(
    status: int, message: str, kind: str, *, param: str | None = None, code: str | None = None
) -> web.Response:
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return web.json_response(body, status=status)


def _content(message: Mapping[str, Any], index: int) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # the multi-part form: only text parts mean anything here
        texts = [part.get("text") for part in content if isinstance(part, Mapping)]
        if all(isinstance(text, str) for text in texts):
            return "".join(texts)
    raise BadRequestError("content must be a string or a list of text parts", f"messages.{index}")


def _messages(raw: Any) -> tuple[tuple[Any, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise BadRequestError("messages must be a non-empty list", "messages")
    turns = []
    for index, message in enumerate(raw):
        role = _ROLE_ALIASES.get(message.get("role")) if isinstance(message, Mapping) else None
        if role is None:
            raise BadRequestError("each message needs a known role", f"messages.{index}.role")
        turns.append((role, _content(message, index)))
    return tuple(turns)


def _json_schema(raw: Any) -> Mapping[str, Any] | None:
    if raw is None:
        return None
    kind = raw.get("type") if isinstance(raw, Mapping) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        spec = raw.get("json_schema")
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        if isinstance(schema, Mapping):
            return schema
        raise BadRequestError("json_schema.schema must be an object", "response_format")
    raise BadRequestError("unsupported response_format type", "response_format")


def _number(body: Mapping[str, Any], names: tuple[str, ...], default: float) -> float:
    for name in names:
        value = body.get(name)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadRequestError(f"{name} must be a number", name)
            return value
    return default


def parse_chat_request(body: Any, model_name: str) -> GenerationRequest:
    """The :class:`GenerationRequest` a chat-completions body asks for, or BadRequestError."""
    if not isinstance(body, Mapping):
        raise BadRequestError("the body must be a JSON object")
    if body.get("stream"):
        raise BadRequestError("streaming is not supported", "stream")
    if body.get("n", 1) != 1:
        raise BadRequestError("only n=1 is supported", "n")
    requested = body.get("model")
    if requested is not None and requested != model_name:
        raise LookupError(f"model {requested!r} is not served here; this serves {model_name!r}")
    messages = _messages(body.get("messages"))
    max_tokens = _number(body, ("max_completion_tokens", "max_tokens"), DEFAULT_MAX_TOKENS)
    temperature = _number(body, ("temperature",), DEFAULT_TEMPERATURE)
    json_schema = _json_schema(body.get("response_format"))
    try:
        return GenerationRequest(
            messages=messages,
            max_tokens=min(int(max_tokens), MAX_TOKENS_LIMIT),
            temperature=temperature,
            json_schema=json_schema,
        )
    except (TypeError, ValueError) as error:  # out-of-range numbers
        raise BadRequestError(str(error)) from error


def _completion(text: str, model_name: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model_name,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
    }


async def chat_completions(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    try:
        body = await request.json()
    except ValueError:
        return _error(400, "the body is not JSON", "invalid_request_error")
    try:
        generation = parse_chat_request(body, settings.model_name)
    except BadRequestError as error:
        return _error(400, str(error), "invalid_request_error", param=error.param)
    except LookupError as error:
        return _error(404, str(error), "invalid_request_error", code="model_not_found")
    try:
        text = await request.app[MODEL].generate(generation)
    except LanguageModelBusyError as error:
        response = _error(429, str(error), "server_busy", code="busy")
        response.headers["Retry-After"] = "1"
        return response
    except LanguageModelUnavailableError as error:
        return _error(503, str(error), "server_error", code="model_unavailable")
    except LanguageModelError as error:
        return _error(500, str(error), "server_error")
    return web.json_response(_completion(text, settings.model_name))


async def list_models(request: web.Request) -> web.Response:
    model = {
        "id": request.app[SETTINGS].model_name,
        "object": "model",
        "created": 0,
        "owned_by": "graphnode",
    }
    return web.json_response({"object": "list", "data": [model]})


async def health(request: web.Request) -> web.Response:
    healthy = await request.app[MODEL].check_health()
    return web.json_response({"healthy": healthy}, status=200 if healthy else 503)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def require_api_key(request: web.Request, handler: Handler) -> web.StreamResponse:
    expected = request.app[SETTINGS].api_key
    if expected and request.path.startswith("/v1/"):
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        # Constant-time comparison: the key is a secret shared by several processes.
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return _error(401, "missing or wrong API key", "invalid_request_error", code="auth")
    return await handler(request)


async def _model_lifetime(app: web.Application) -> AsyncIterator[None]:
    if not app[SETTINGS].manage_model:
        yield
        return
    async with app[MODEL]:
        yield


def setup_routes(app: web.Application) -> None:
    app.router.add_post("/v1/chat/completions", chat_completions)
    app.router.add_get("/v1/models", list_models)
    app.router.add_get("/health", health)


def create_app(model: LanguageModel, settings: ServeSettings | None = None) -> web.Application:
    """The server app; it starts the model on startup and closes it on cleanup."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[require_api_key])
    app[MODEL] = model
    app[SETTINGS] = settings or ServeSettings()
    app.cleanup_ctx.append(_model_lifetime)
    setup_routes(app)
    return app


@contextlib.asynccontextmanager
async def running(
    app: web.Application, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` in this event loop; yields the base URL (port 0 picks a free port)."""
    # Cancel the handler when the client hangs up, so the model drops the request.
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_host, bound_port = runner.addresses[0][:2]
        yield f"http://{bound_host}:{bound_port}"
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    # Imported here: the app itself needs neither the backends nor the CLI plumbing.
    from graphnode.ai.llm.factory import open_language_model
    from graphnode.entrypoint import load_settings, service_parser

    parser = service_parser(
        "python -m graphnode.ai.llm.serve", "OpenAI-compatible server over a GraphNode LLM."
    )
    parser.add_argument("--backend", default="local", choices=("local", "vllm"))
    parser.add_argument("--model", default=None, help="model id or path (vllm backend)")
    parser.add_argument("--model-name", default=DEFAULT_MODEL_NAME, help="name clients use")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args(argv)
    load_settings(args)  # configures logging like the other services
    options = {"model": args.model} if args.model else {}
    model = open_language_model(args.backend, **options)
    assert model is not None  # only backends with a model are offered
    # The key comes from the environment, never the command line (visible in `ps`).
    settings = ServeSettings(
        model_name=args.model_name, api_key=os.environ.get("GRAPHNODE_LLM_SERVE_API_KEY")
    )
    web.run_app(
        create_app(model, settings), host=args.host, port=args.port, handler_cancellation=True
    )


if __name__ == "__main__":
    main()
