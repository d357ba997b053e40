"""The copies of a user's data that a task starts from, and their deletion once it ended.

The API writes them for the AI service: the task's input bundle (the conversations it was
given) and, for a summary or an addition, ``stored-graph.json`` and ``stored-features.json``
(the graph and the vectors as stored). Once the task has ended, however it ended (a result,
a dead letter, its deadline), nothing reads them again, and a copy left behind would outlive
an item the user removes. S3 deletes are idempotent: anyone who finds the ending may delete.
"""

from __future__ import annotations

from graphnode.adapters.s3 import ObjectStore
from graphnode.contracts.identifiers import (
    STORED_FEATURES_FILE,
    STORED_GRAPH_FILE,
    bundle_prefix,
    result_key,
)


async def delete_task_inputs(
    objects: ObjectStore, user_id: str, task_id: str, *, bundle: bool = True
) -> int:
    """Delete the task's stored-graph files (under the user's own prefix) and, ``bundle``,
    its bundle (whose key names only the task: the caller vouches that the task is the
    user's); returns how many keys were named."""
    keys = await objects.list_keys(bundle_prefix(task_id)) if bundle else []
    stored = (STORED_GRAPH_FILE, STORED_FEATURES_FILE)
    keys += [result_key(user_id, task_id, name) for name in stored]
    for key in keys:
        await objects.delete(key)
    return len(keys)
