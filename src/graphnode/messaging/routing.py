"""Routing by ``taskType``: a registry from task type to the handler that owns it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from graphnode.contracts import ContractError, Message, TaskType


class Handler(Protocol):
    """Handles one message. Raising leaves the message for redelivery; raising
    :class:`PoisonMessage` (or a ``ContractError``) sends it to the DLQ at once."""

    async def handle(self, message: Message[Any]) -> None: ...


class PoisonMessage(Exception):
    """The message can never succeed (e.g. its result file breaks the contract)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HandlerRegistry:
    def __init__(self, handlers: Mapping[TaskType, Handler]) -> None:
        self._handlers = dict(handlers)

    def handler_for(self, message: Message[Any]) -> Handler:
        handler = self._handlers.get(message.task_type)
        if handler is None:
            known = ", ".join(sorted(self._handlers))
            raise ContractError(
                f"no handler for taskType {message.task_type.value} on this queue "
                f"(this worker handles: {known})"
            )
        return handler

    def by_type(self) -> dict[TaskType, Handler]:
        return dict(self._handlers)
