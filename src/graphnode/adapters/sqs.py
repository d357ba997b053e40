"""SQS queues: send, batch send, long-poll receive, visibility changes, batch delete."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import orjson

from graphnode.adapters.aws import open_aws_client
from graphnode.adapters.lifecycle import Resource
from graphnode.settings import Settings

log = logging.getLogger("graphnode.sqs")

BATCH_LIMIT = 10  # SQS's limit on entries per batch call and messages per receive
MAX_WAIT_SECONDS = 20  # SQS's longest long poll
MAX_BATCH_BYTES = 256 * 1024  # SQS's limit on one batch's total payload
# A long poll holds the HTTP request open for up to 20 s; the read timeout must outlast it.
READ_TIMEOUT_MARGIN = 10.0


class SqsBatchError(RuntimeError):
    """Some entries of a batch call failed; ``failures`` are AWS's own entries."""

    def __init__(self, action: str, failures: Sequence[Mapping[str, Any]]) -> None:
        reasons = "; ".join(
            f"{f.get('Id')}: {f.get('Code')} {f.get('Message', '')}" for f in failures
        )
        super().__init__(f"{action} failed for {len(failures)} entries: {reasons}")
        self.failures = list(failures)


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    queue_url: str
    message_id: str
    receipt_handle: str
    body: str
    receive_count: int
    attributes: Mapping[str, str] = field(default_factory=dict)
    message_attributes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_aws(cls, queue_url: str, raw: Mapping[str, Any]) -> ReceivedMessage:
        attributes = raw.get("Attributes", {})
        return cls(
            queue_url=queue_url,
            message_id=raw["MessageId"],
            receipt_handle=raw["ReceiptHandle"],
            body=raw.get("Body", ""),
            receive_count=int(attributes.get("ApproximateReceiveCount", "1")),
            attributes=attributes,
            message_attributes={
                name: value.get("StringValue", "")
                for name, value in raw.get("MessageAttributes", {}).items()
            },
        )


def _string_attributes(attributes: Mapping[str, str] | None) -> dict[str, Any]:
    return {
        name: {"DataType": "String", "StringValue": value}
        for name, value in (attributes or {}).items()
    }


def _chunks(entries: Sequence[dict[str, Any]], key: str | None = None) -> Iterator[list]:
    """Split into batches of at most 10 entries and, by ``key``'s size, at most 256 KiB."""
    batch: list[dict[str, Any]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry[key].encode()) if key else 0
        if batch and (len(batch) == BATCH_LIMIT or size + entry_size > MAX_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(entry)
        size += entry_size
    if batch:
        yield batch


class QueueClient(Resource):
    """One SQS client shared by every queue the process uses.

    Queue names or URLs are accepted everywhere; names are resolved once and cached.
    ``max_pool_connections`` must fit every concurrent long poll plus the handlers' calls.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        max_pool_connections: int = 10,
        wait_seconds: int = MAX_WAIT_SECONDS,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._pool = max_pool_connections
        self._read_timeout = wait_seconds + READ_TIMEOUT_MARGIN
        self._client: Any = None
        self._urls: dict[str, str] = {}

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        self._client = await open_aws_client(
            stack,
            "sqs",
            self._settings,
            max_pool_connections=self._pool,
            read_timeout=self._read_timeout,
        )

    @property
    def client(self) -> Any:
        self._require_open()
        return self._client

    async def queue_url(self, name_or_url: str) -> str:
        if urlparse(name_or_url).scheme in {"http", "https"}:
            return name_or_url
        if name_or_url not in self._urls:
            answer = await self.client.get_queue_url(QueueName=name_or_url)
            self._urls[name_or_url] = answer["QueueUrl"]
        return self._urls[name_or_url]

    async def send(
        self,
        queue: str,
        body: str | bytes,
        *,
        attributes: Mapping[str, str] | None = None,
        delay_seconds: int = 0,
    ) -> str:
        """Send one message; returns its MessageId."""
        answer = await self.client.send_message(
            QueueUrl=await self.queue_url(queue),
            MessageBody=body.decode() if isinstance(body, bytes) else body,
            MessageAttributes=_string_attributes(attributes),
            DelaySeconds=delay_seconds,
        )
        return answer["MessageId"]

    async def send_batch(self, queue: str, bodies: Sequence[str | bytes]) -> list[str]:
        """Send many messages in batches of 10; raises :class:`SqsBatchError` on any failure."""
        url = await self.queue_url(queue)
        entries = [
            {"Id": str(i), "MessageBody": b.decode() if isinstance(b, bytes) else b}
            for i, b in enumerate(bodies)
        ]
        ids: dict[int, str] = {}
        failures: list[Mapping[str, Any]] = []
        for batch in _chunks(entries, "MessageBody"):
            answer = await self.client.send_message_batch(QueueUrl=url, Entries=batch)
            ids.update({int(ok["Id"]): ok["MessageId"] for ok in answer.get("Successful", [])})
            failures.extend(answer.get("Failed", []))
        if failures:
            raise SqsBatchError("SendMessageBatch", failures)
        return [ids[i] for i in range(len(bodies))]

    async def receive(
        self,
        queue: str,
        *,
        max_messages: int = BATCH_LIMIT,
        wait_seconds: int = MAX_WAIT_SECONDS,
        visibility_timeout: int | None = None,
    ) -> list[ReceivedMessage]:
        """Long-poll: returns as soon as messages arrive, or empty after ``wait_seconds``."""
        url = await self.queue_url(queue)
        request: dict[str, Any] = {
            "QueueUrl": url,
            "MaxNumberOfMessages": max(1, min(max_messages, BATCH_LIMIT)),
            "WaitTimeSeconds": max(0, min(wait_seconds, MAX_WAIT_SECONDS)),
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if visibility_timeout is not None:
            request["VisibilityTimeout"] = visibility_timeout
        answer = await self.client.receive_message(**request)
        return [ReceivedMessage.from_aws(url, raw) for raw in answer.get("Messages", [])]

    async def change_visibility(self, queue: str, receipt_handle: str, seconds: int) -> None:
        await self.client.change_message_visibility(
            QueueUrl=await self.queue_url(queue),
            ReceiptHandle=receipt_handle,
            VisibilityTimeout=seconds,
        )

    async def change_visibility_batch(
        self, queue: str, changes: Sequence[tuple[str, int]]
    ) -> list[str]:
        """(receipt handle, timeout) pairs; returns the handles AWS reported as failed."""
        entries = [
            {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": timeout}
            for i, (handle, timeout) in enumerate(changes)
        ]
        return await self._batch("change_message_visibility_batch", queue, entries)

    async def delete_batch(self, queue: str, receipt_handles: Sequence[str]) -> list[str]:
        """Delete in batches of 10; returns (and logs) the handles AWS reported as failed."""
        entries = [{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(receipt_handles)]
        return await self._batch("delete_message_batch", queue, entries)

    async def _batch(self, action: str, queue: str, entries: list[dict[str, Any]]) -> list[str]:
        url = await self.queue_url(queue)
        call = getattr(self.client, action)
        failed: list[str] = []
        for batch in _chunks(entries):
            answer = await call(QueueUrl=url, Entries=batch)
            by_id = {entry["Id"]: entry for entry in batch}
            for failure in answer.get("Failed", []):
                log.warning(
                    "sqs batch entry failed",
                    extra={
                        "action": action,
                        "queue": url,
                        "code": failure.get("Code"),
                        "reason": failure.get("Message"),
                    },
                )
                failed.append(by_id[failure["Id"]]["ReceiptHandle"])
        return failed

    async def attributes(self, queue: str) -> dict[str, str]:
        answer = await self.client.get_queue_attributes(
            QueueUrl=await self.queue_url(queue), AttributeNames=["All"]
        )
        return answer.get("Attributes", {})

    async def approximate_depth(self, queue: str) -> int:
        """Visible plus in-flight messages (approximate, as SQS reports them)."""
        found = await self.attributes(queue)
        return int(found.get("ApproximateNumberOfMessages", 0)) + int(
            found.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    async def dead_letter_queue_url(self, queue: str) -> str | None:
        """The queue its redrive policy names, or None if it has none."""
        policy = (await self.attributes(queue)).get("RedrivePolicy")
        if not policy:
            return None
        arn = orjson.loads(policy)["deadLetterTargetArn"]
        # arn:aws:sqs:REGION:ACCOUNT:NAME
        _, _, _, region, account, name = arn.split(":", 5)
        try:
            return await self.queue_url(name)
        except self.client.exceptions.QueueDoesNotExist:
            log.error(
                "dead-letter queue missing",
                extra={"arn": arn, "region": region, "account": account},
            )
            raise
