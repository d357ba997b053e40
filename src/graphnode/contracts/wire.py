"""Shared base for wire models: camelCase on the wire, tolerant of unknown fields, orjson."""

from __future__ import annotations

from typing import Any, Self, TypeVar

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from graphnode.contracts.errors import ContractError

M = TypeVar("M", bound=BaseModel)


class _ContractModel(BaseModel):
    """``model_validate`` (outside data: the wire, a file, a request body) raises
    :class:`ContractError`. Building a model in code with bad values is a bug in that code
    and raises pydantic's own ``ValidationError``."""

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as exc:
            raise ContractError(describe_validation_error(exc, "")) from exc


class WireModel(_ContractModel):
    """A message model: camelCase aliases, unknown fields kept (readers ignore them)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
        str_strip_whitespace=True,
    )

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class FileModel(_ContractModel):
    """A result-file model: snake_case as the original system wrote it, extras kept."""

    model_config = ConfigDict(extra="allow", frozen=True)


def describe_validation_error(error: ValidationError, where: str) -> str:
    """One readable sentence per problem, e.g. ``payload.userId: Field required``."""
    problems = []
    for item in error.errors(include_url=False):
        location = ".".join(str(part) for part in (where, *item["loc"]) if part != "")
        cause = item.get("ctx", {}).get("error")
        message = str(cause) if isinstance(cause, Exception) else item["msg"]
        problems.append(f"{location}: {message}" if location else message)
    return "; ".join(problems)


def loads_json(raw: bytes | str, what: str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ContractError(f"{what} is not valid JSON: {exc}") from exc


def validate(model: type[M], data: Any, where: str) -> M:
    """Validate ``data``; the reason names ``where`` (e.g. 'payload') before each field."""
    try:
        return model.__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        raise ContractError(describe_validation_error(exc, where)) from exc


def file_json(model: FileModel) -> dict[str, Any]:
    """A result file as it is written: JSON values, nulls kept (readers default them)."""
    return model.model_dump(mode="json")


def dumps(model: BaseModel) -> bytes:
    """Serialise a model as the wire wants it (aliases, no nulls) with orjson."""
    if isinstance(model, WireModel):
        return orjson.dumps(model.to_wire())
    return orjson.dumps(model.model_dump(mode="json", exclude_none=True))
