"""The message envelope every queue body uses, and the one way to read and write it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import orjson
from pydantic import Field

from graphnode.contracts.errors import ContractError
from graphnode.contracts.identifiers import TaskId
from graphnode.contracts.tasks import PAYLOAD_TYPES, Payload, TaskType
from graphnode.contracts.wire import WireModel, loads_json, validate

# SQS refuses bodies above 256 KiB; a larger one cannot have come from a well-behaved producer.
MAX_MESSAGE_BYTES = 256 * 1024

P = TypeVar("P", bound=Payload)


class _RawEnvelope(WireModel):
    task_type: TaskType = Field(description="The routing key: which payload this is.")
    task_id: TaskId = Field(description="The task this message is about.")
    timestamp: datetime | None = Field(
        default=None, description="When it was sent (ISO 8601); always written on output."
    )
    payload: dict[str, Any] = Field(
        default_factory=dict, description="The task type's payload (below)."
    )


@dataclass(frozen=True, slots=True)
class Message(Generic[P]):
    """A validated message: routing key, task id and the typed payload for that key."""

    task_id: str
    payload: P
    timestamp: datetime | None = None

    @property
    def task_type(self) -> TaskType:
        return self.payload.TASK_TYPE

    def to_json(self) -> bytes:
        """The body to send: ``timestamp`` is always written (now, if none was set)."""
        stamp = self.timestamp or datetime.now(UTC)
        return orjson.dumps(
            {
                "taskType": self.task_type.value,
                "taskId": self.task_id,
                "timestamp": stamp.astimezone(UTC).isoformat().replace("+00:00", "Z"),
                "payload": self.payload.to_wire(),
            }
        )


def _check_routing_key(data: Any) -> None:
    if not isinstance(data, dict):
        raise ContractError(f"message body must be a JSON object, got {type(data).__name__}")
    if "taskType" in data:
        return
    if "type" in data:
        # The original system once lost every job by routing on 'type'; say so loudly.
        raise ContractError(
            f"message has 'type' ({data['type']!r}) but no 'taskType': "
            "the routing key is 'taskType'"
        )
    raise ContractError("message has no 'taskType' (the routing key)")


def parse_message(body: bytes | str) -> Message[Payload]:
    """Validate a queue body; raises :class:`ContractError` with the reason if it is not one."""
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_MESSAGE_BYTES:
        raise ContractError(f"message body is {size} bytes, over the {MAX_MESSAGE_BYTES} limit")
    data = loads_json(body, "message body")
    _check_routing_key(data)
    known = ", ".join(t.value for t in TaskType)
    if data["taskType"] not in TaskType.__members__:
        raise ContractError(f"unknown taskType {data['taskType']!r} (known: {known})")
    raw = validate(_RawEnvelope, data, "")
    payload = validate(PAYLOAD_TYPES[raw.task_type], raw.payload, "payload")
    return Message(task_id=raw.task_id, payload=payload, timestamp=raw.timestamp)
