"""The one interface every language-model backend speaks, in the style of vLLM's engine client.

A request is a frozen value: chat turns plus sampling settings and, optionally, a JSON schema
the answer must follow. ``generate`` returns the whole answer text; the pipeline submits many
requests concurrently (many users' clusters at once) and each backend batches them its own
way: the local model pads them into one forward pass, an OpenAI-compatible server and vLLM
batch continuously on their side.

Nothing here imports torch, aiohttp or vllm, so importing the package is always cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable

from graphnode.adapters.lifecycle import Lifetime

Role = Literal["system", "user", "assistant"]
ChatTurn = tuple[Role, str]

LOGGER_NAME = "graphnode.ai.llm"

# Longer answers are never needed for names and summaries; the cap keeps a runaway request
# from holding a batch slot for minutes on a CPU.
MAX_TOKENS_LIMIT = 4096


class LanguageModelError(RuntimeError):
    """A backend could not produce an answer. Callers with a fallback catch this."""


class LanguageModelUnavailableError(LanguageModelError):
    """The backend cannot run in this installation (a missing package, a missing model file)."""


class LanguageModelBusyError(LanguageModelError):
    """The backend refused the request because its queue is full; retrying later may work."""


def _freeze(value: Any) -> Any:
    """A read-only deep copy, so a request (and its schema) can be shared between tasks."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """Plain ``dict``/``list`` again, for JSON encoders and libraries that want them."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class GenerationRequest:
    """One chat completion to run.

    ``temperature`` 0 means greedy decoding. ``json_schema``, when given, asks the backend for
    a JSON object following it: servers with structured output enforce it, the local model is
    prompted for it; either way the caller still validates what comes back.
    """

    messages: tuple[ChatTurn, ...]
    max_tokens: int = 128
    temperature: float = 0.0
    json_schema: Mapping[str, Any] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        messages = tuple((role, content) for role, content in self.messages)
        if not messages:
            raise ValueError("a generation request needs at least one message")
        for role, content in messages:
            if role not in ("system", "user", "assistant"):
                raise ValueError(f"unknown chat role {role!r}")
            if not isinstance(content, str):
                raise TypeError("message content must be a string")
        if not 1 <= self.max_tokens <= MAX_TOKENS_LIMIT:
            raise ValueError(f"max_tokens must be between 1 and {MAX_TOKENS_LIMIT}")
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError("temperature must be between 0 and 2")
        object.__setattr__(self, "messages", messages)
        if self.json_schema is not None:
            object.__setattr__(self, "json_schema", _freeze(self.json_schema))

    @property
    def is_greedy(self) -> bool:
        return self.temperature == 0.0


@runtime_checkable
class LanguageModel(Protocol):
    """What the pipeline needs from a language model.

    Every backend is an async context manager; ``close`` is safe to call twice. Backends
    start lazily, so ``generate`` also works without ``async with`` (then call ``close``).
    """

    async def generate(self, request: GenerationRequest) -> str:
        """The answer text; raises :class:`LanguageModelError` when there is none."""
        ...

    async def check_health(self) -> bool:
        """True when the backend can take requests now; never raises."""
        ...

    async def close(self) -> None: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class ModelLifetime(Lifetime):
    """The shared lifetime (``open``/``close``, ``async with``) of the backends.

    Unlike an adapter's :class:`~graphnode.adapters.lifecycle.Resource`, a model starts
    lazily on its first request (loading weights takes seconds to minutes, and a service
    may never need the model), and once closed it stays closed: requests then fail with
    :class:`LanguageModelError`.
    """

    async def start(self) -> None:
        """Acquire what the backend needs up front; by default everything starts lazily."""

    async def open(self) -> Self:
        await self.start()
        return self
