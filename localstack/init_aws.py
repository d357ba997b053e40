"""The single source of truth for GraphNode's AWS topology: one S3 bucket and two SQS queues.

Every environment gets its queues and bucket from here, never from hand-made copies:

- the test harness imports this file by path and calls :func:`provision`;
- developers run it against host-mode LocalStack (``python localstack/init_aws.py --wait 30``);
- the LocalStack Docker container runs it as a ``ready.d`` init hook (see docker-compose.yml);
- the same command with ``AWS_ENDPOINT_URL=`` (set but empty) provisions real AWS; unset,
  it means LocalStack on 127.0.0.1:4566, as it does for the application.

Topology (names configurable, see ``docs/contract.md``)::

    graphnode-requests  --(maxReceiveCount receives)-->  graphnode-requests-dlq
    graphnode-results   --(maxReceiveCount receives)-->  graphnode-results-dlq
    graphnode-data      (S3 bucket: input bundles and results)

Provisioning is idempotent: running it again leaves the same state, and brings an existing
queue's visibility timeout and redrive policy in line with the arguments.

Only the standard library and boto3 are used, because it runs in three interpreters: the
project's dev venv, LocalStack's own venv (host mode) and LocalStack's process (Docker).
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

LOG = logging.getLogger("graphnode.init_aws")

DEFAULT_REGION = "us-east-1"
DEFAULT_BUCKET = "graphnode-data"
DEFAULT_REQUEST_QUEUE = "graphnode-requests"
DEFAULT_RESULT_QUEUE = "graphnode-results"
DEFAULT_MAX_RECEIVE_COUNT = 5
DEFAULT_VISIBILITY_TIMEOUT = 60

DLQ_SUFFIX = "-dlq"
FIFO_SUFFIX = ".fifo"
# A dead-lettered message keeps its original enqueue time, so a DLQ that retained messages
# no longer than its source queue would drop failures before anyone looked; 14 days is the
# SQS maximum.
DLQ_RETENTION_SECONDS = 14 * 24 * 3600
MAX_RECEIVE_COUNT_RANGE = range(1, 1001)  # SQS limits for the redrive policy
VISIBILITY_TIMEOUT_RANGE = range(0, 43201)

# Set in the LocalStack image (Dockerfile ENV); inside that container LocalStack itself
# listens on localhost:4566.
LOCALSTACK_IMAGE_MARKER = "LOCALSTACK_BUILD_VERSION"
LOCALSTACK_IN_CONTAINER_ENDPOINT = "http://localhost:4566"
# What graphnode.settings uses when AWS_ENDPOINT_URL is unset (make services).
APPLICATION_DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
HEALTH_PATH = "/_localstack/health"
HEALTH_READY_STATES = frozenset({"available", "running"})
HEALTH_POLL_SECONDS = 0.25
REQUIRED_SERVICES = ("sqs", "s3")

# LocalStack accepts any credentials; these are its documented placeholders.
DUMMY_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
CREDENTIAL_ENV_VARS = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE")


def queue_name(name_or_url: str) -> str:
    """Accept a queue name or a full queue URL (the application accepts both)."""
    candidate = name_or_url.strip()
    if "://" in candidate:
        candidate = urlparse(candidate).path.rstrip("/").rsplit("/", 1)[-1]
    if not candidate:
        raise ValueError(f"no queue name in {name_or_url!r}")
    return candidate


def dead_letter_queue_name(name: str) -> str:
    """``<name>-dlq``; a FIFO queue's DLQ must be FIFO too, so the suffix stays last."""
    if name.endswith(FIFO_SUFFIX):
        return name.removesuffix(FIFO_SUFFIX) + DLQ_SUFFIX + FIFO_SUFFIX
    return name + DLQ_SUFFIX


def provision(
    *,
    endpoint_url: str | None,
    region: str,
    bucket: str,
    request_queue: str,
    result_queue: str,
    max_receive_count: int = DEFAULT_MAX_RECEIVE_COUNT,
    visibility_timeout: int = DEFAULT_VISIBILITY_TIMEOUT,
) -> dict[str, str]:
    """Create (or bring in line) the bucket and both queues with their dead-letter queues.

    ``endpoint_url`` None means real AWS; an endpoint given here is the only one used
    (``AWS_ENDPOINT_URL`` in the environment is ignored, so None cannot silently mean
    LocalStack). Returns the bucket name and the four queue URLs.
    """
    if max_receive_count not in MAX_RECEIVE_COUNT_RANGE:
        raise ValueError(f"max_receive_count must be 1-1000, got {max_receive_count}")
    if visibility_timeout not in VISIBILITY_TIMEOUT_RANGE:
        raise ValueError(f"visibility_timeout must be 0-43200 s, got {visibility_timeout}")
    s3, sqs = _clients(endpoint_url or None, region)
    ensure_bucket(s3, bucket, region)
    request_url, request_dlq_url = ensure_queue_with_dlq(
        sqs, queue_name(request_queue), max_receive_count, visibility_timeout
    )
    result_url, result_dlq_url = ensure_queue_with_dlq(
        sqs, queue_name(result_queue), max_receive_count, visibility_timeout
    )
    return {
        "bucket": bucket,
        "request_queue_url": request_url,
        "request_dlq_url": request_dlq_url,
        "result_queue_url": result_url,
        "result_dlq_url": result_dlq_url,
    }


def ensure_bucket(s3: BaseClient, bucket: str, region: str) -> None:
    """Create the bucket; one that already exists and is ours is fine."""
    request: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":  # us-east-1 rejects an explicit LocationConstraint
        request["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**request)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code == "BucketAlreadyOwnedByYou":
            return
        # Some endpoints answer BucketAlreadyExists for a bucket we own as well: it is ours
        # when we may use it. Someone else's bucket stays an error.
        if code == "BucketAlreadyExists" and _bucket_is_accessible(s3, bucket):
            return
        raise
    LOG.info("bucket %s ready", bucket)


def _bucket_is_accessible(s3: BaseClient, bucket: str) -> bool:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError:
        return False
    return True


def ensure_queue_with_dlq(
    sqs: BaseClient, name: str, max_receive_count: int, visibility_timeout: int
) -> tuple[str, str]:
    """Create ``name`` and ``<name>-dlq`` and point the first at the second."""
    dlq_url = _ensure_queue(
        sqs, dead_letter_queue_name(name), {"MessageRetentionPeriod": str(DLQ_RETENTION_SECONDS)}
    )
    dlq_attributes = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])
    dlq_arn = dlq_attributes["Attributes"]["QueueArn"]
    redrive_policy = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": max_receive_count}
    queue_url = _ensure_queue(
        sqs,
        name,
        {
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(redrive_policy),
        },
    )
    return queue_url, dlq_url


def _ensure_queue(sqs: BaseClient, name: str, mutable_attributes: Mapping[str, str]) -> str:
    # CreateQueue fails on an existing queue whose attributes differ, so it gets only what
    # can never differ for this name; SetQueueAttributes then updates new and old alike.
    immutable = {"FifoQueue": "true"} if name.endswith(FIFO_SUFFIX) else {}
    url: str = sqs.create_queue(QueueName=name, Attributes=immutable)["QueueUrl"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes=dict(mutable_attributes))
    LOG.info("queue %s ready: %s", name, url)
    return url


def _clients(endpoint_url: str | None, region: str) -> tuple[BaseClient, BaseClient]:
    session_args: dict[str, str] = {"region_name": region}
    if endpoint_url and not any(os.environ.get(var) for var in CREDENTIAL_ENV_VARS):
        session_args.update(DUMMY_CREDENTIALS)
    session = boto3.Session(**session_args)
    config = Config(
        ignore_configured_endpoint_urls=True,
        retries={"mode": "standard", "max_attempts": 5},
        connect_timeout=5,
        read_timeout=30,
        # An emulator on an IP address or localhost has no per-bucket host names.
        s3={"addressing_style": "path"} if endpoint_url else None,
    )
    s3 = session.client("s3", endpoint_url=endpoint_url, config=config)
    sqs = session.client("sqs", endpoint_url=endpoint_url, config=config)
    return s3, sqs


def wait_until_ready(
    endpoint_url: str, timeout: float, services: Sequence[str] = REQUIRED_SERVICES
) -> None:
    """Poll LocalStack's health endpoint until ``services`` are usable, or raise TimeoutError."""
    url = endpoint_url.rstrip("/") + HEALTH_PATH
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                states = json.load(response).get("services", {})
            waiting = {
                s: states.get(s) for s in services if states.get(s) not in HEALTH_READY_STATES
            }
            if not waiting:
                return
            last_problem = f"services not ready: {waiting}"
        except (OSError, ValueError, http.client.HTTPException) as exc:
            last_problem = f"{type(exc).__name__}: {exc}"
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{url} not ready after {timeout:g} s ({last_problem})")
        time.sleep(HEALTH_POLL_SECONDS)


def settings_from_env(
    environ: Mapping[str, str], default_endpoint: str | None = None
) -> dict[str, Any]:
    """:func:`provision` keyword arguments from the variables the application reads."""
    # The application's rule: unset means the default endpoint, set but empty means real AWS.
    raw = environ.get("AWS_ENDPOINT_URL")
    endpoint = default_endpoint if raw is None else (raw.strip() or None)
    raw_count = environ.get("GRAPHNODE_MAX_RECEIVE_COUNT", "").strip()
    try:
        max_receive_count = int(raw_count) if raw_count else DEFAULT_MAX_RECEIVE_COUNT
    except ValueError:
        raise ValueError(f"GRAPHNODE_MAX_RECEIVE_COUNT={raw_count!r} is not an integer") from None
    return {
        "endpoint_url": endpoint,
        "region": environ.get("AWS_REGION", "").strip() or DEFAULT_REGION,
        "bucket": environ.get("GRAPHNODE_BUCKET", "").strip() or DEFAULT_BUCKET,
        "request_queue": environ.get("GRAPHNODE_REQUEST_QUEUE", "").strip()
        or DEFAULT_REQUEST_QUEUE,
        "result_queue": environ.get("GRAPHNODE_RESULT_QUEUE", "").strip() or DEFAULT_RESULT_QUEUE,
        "max_receive_count": max_receive_count,
    }


def _parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Create GraphNode's S3 bucket and SQS queues (with dead-letter queues). "
        "Reads AWS_ENDPOINT_URL (unset: LocalStack on 127.0.0.1:4566, empty: real AWS), "
        "AWS_REGION, GRAPHNODE_BUCKET, "
        "GRAPHNODE_REQUEST_QUEUE, GRAPHNODE_RESULT_QUEUE, GRAPHNODE_MAX_RECEIVE_COUNT. "
        "Prints the queue URLs as JSON.",
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="first wait up to SECONDS for the endpoint's LocalStack health check "
        "to report sqs and s3 available",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: provision from the environment and print the result as JSON."""
    args = _parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="init_aws: %(message)s", stream=sys.stderr)
    in_localstack_image = LOCALSTACK_IMAGE_MARKER in os.environ
    default_endpoint = (
        LOCALSTACK_IN_CONTAINER_ENDPOINT if in_localstack_image else APPLICATION_DEFAULT_ENDPOINT
    )
    try:
        settings = settings_from_env(os.environ, default_endpoint)
        if args.wait > 0:
            if settings["endpoint_url"] is None:
                LOG.info("--wait ignored: AWS_ENDPOINT_URL is empty (real AWS)")
            else:
                wait_until_ready(settings["endpoint_url"], args.wait)
        result = provision(**settings)
    except (BotoCoreError, ClientError, TimeoutError, ValueError) as exc:
        print(f"init_aws: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2))
    return 0


def _running_as_localstack_hook() -> bool:
    # LocalStack runs a ready.d .py hook with exec(source, {}) inside its own process: the
    # code gets no __name__ of its own, so the name lookup falls through to the builtins
    # module's. (Imported by path, __name__ is the importer's module name.)
    return __name__ == "builtins" and "localstack" in sys.modules


def _run_as_localstack_hook() -> None:
    # No sys.exit and no argv here: this is LocalStack's process. An exception marks the
    # hook ERROR in /_localstack/init/ready and LocalStack keeps running.
    from localstack import config  # importable only inside LocalStack

    settings = settings_from_env(os.environ, config.internal_service_url())
    result = provision(**settings)
    LOG.info("GraphNode topology ready: %s", json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())
elif _running_as_localstack_hook():
    _run_as_localstack_hook()
