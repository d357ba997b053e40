"""Ids and S3 key layout, with the ownership rule that keeps users' data apart."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from graphnode.contracts.errors import ContractError

_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@:+-]{0,127}")


def check_id(value: str) -> str:
    """Ids become path segments of S3 keys: no '/', so one id cannot reach under another's."""
    if not _ID_PATTERN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a valid id (1-128 of letters, digits and _ . @ : + -, "
            "starting with a letter or digit)"
        )
    return value


UserId = Annotated[str, AfterValidator(check_id)]
TaskId = Annotated[str, AfterValidator(check_id)]

MAX_KEY_LENGTH = 1024  # S3's own limit, in bytes of UTF-8


def check_s3_key(key: str) -> str:
    """A key must be relative, with no empty or '..' segment and no control characters."""
    if not key or len(key.encode()) > MAX_KEY_LENGTH:
        raise ValueError(f"an S3 key must be 1 to {MAX_KEY_LENGTH} bytes")
    if key.startswith("/"):
        raise ValueError(f"S3 key {key!r} must not start with '/'")
    segments = key.rstrip("/").split("/")
    if any(segment in {"", ".", ".."} for segment in segments):
        raise ValueError(f"S3 key {key!r} has an empty, '.' or '..' segment")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in key):
        raise ValueError(f"S3 key {key!r} has a control character")
    return key


S3Key = Annotated[str, AfterValidator(check_s3_key)]

BUNDLE_ROOT = "graph-generation"
# The input bundle's files (docs/contract.md, 'Input bundle'): conversations, then notes.
BUNDLE_INPUT_FILE = "input.json"
BUNDLE_NOTES_FILE = "notes.json"
BUNDLE_FILES = (BUNDLE_INPUT_FILE, BUNDLE_NOTES_FILE)
RESULT_ROOT = "graphs"
GRAPH_FILE = "graph.json"
FEATURES_FILE = "features.json"
SUMMARY_FILE = "summary.json"
# The graph as stored when a summary or an addition was asked for (a graph.json), written by
# the API beside that task's results: the task starts from it, not from the last generation's.
STORED_GRAPH_FILE = "stored-graph.json"
# And, for an addition, the stored items' vectors (a features.json) beside it.
STORED_FEATURES_FILE = "stored-features.json"


def bundle_prefix(task_id: str) -> str:
    """Where the API writes a task's input bundle (ends with '/')."""
    return f"{BUNDLE_ROOT}/{task_id}/"


def user_result_prefix(user_id: str) -> str:
    return f"{RESULT_ROOT}/{user_id}/"


def result_key(user_id: str, task_id: str, file_name: str) -> str:
    """Default layout: ``graphs/{userId}/{taskId}/graph.json|features.json|summary.json``."""
    return f"{user_result_prefix(user_id)}{task_id}/{file_name}"


def require_owned_key(key: str, user_id: str, field: str) -> None:
    """Refuse a result key outside the message's own user's prefix.

    A forged or buggy message must not be able to move one user's data into another's graph.
    """
    prefix = user_result_prefix(user_id)
    if not key.startswith(prefix) or len(key) == len(prefix):
        raise ContractError(f"{field} {key!r} is not under {prefix!r}, the prefix of its userId")
