"""Start a graph generation: claim the user's graph, write the bundle, hand the task over.

The order matters: the status is claimed first (so two requests cannot both start), and if
anything after that fails the task is FAILED and the status restored, so a user is never
left looking at a graph that is 'creating' forever. The claim is a short lease and the task
gets a deadline at once; once dispatched, both stretch to the task's full deadline. If this
process dies in between, the lease runs out and the worker's sweeper fails the task.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass, field
from datetime import timedelta

import orjson

from graphnode.adapters.s3 import ObjectStore
from graphnode.api.services.dispatch import Dispatcher, DispatchError
from graphnode.contracts import (
    AddNodeRequest,
    GraphGenerationRequest,
    GraphSummaryRequest,
    TaskType,
    bundle_prefix,
)
from graphnode.contracts.identifiers import (
    BUNDLE_INPUT_FILE,
    BUNDLE_NOTES_FILE,
    STORED_FEATURES_FILE,
    STORED_GRAPH_FILE,
    result_key,
)
from graphnode.contracts.wire import file_json
from graphnode.ingest.bundle import (
    JsonArrayWriter,
    chatgpt_conversation,
    is_note,
    note_entry,
)
from graphnode.ingest.documents import Document
from graphnode.storage.codec import now_ms
from graphnode.storage.conversation_store import ConversationStore
from graphnode.storage.graph_file import StoredGraphFileReader, features_json
from graphnode.storage.graph_status import CLAIM_LEASE, GraphStatus
from graphnode.storage.graph_store import MongoGraphStore
from graphnode.storage.task_store import TaskState, TaskStore
from graphnode.storage.vector_store import VectorStore

log = logging.getLogger("graphnode.api.generate")


# What a user reads of a task that could not be handed over; the cause goes to the log.
DISPATCH_FAILED_TEXT = "the task could not be handed to the AI service; try again shortly"


class NothingToGenerateError(ValueError):
    """The user has imported nothing yet."""


class GenerationRunningError(RuntimeError):
    def __init__(self, task_id: str | None) -> None:
        super().__init__("a generation is already running")
        self.task_id = task_id


def _deadline_ms(after: timedelta) -> int:
    return now_ms() + int(after.total_seconds() * 1000)


@dataclass(frozen=True)
class GenerationService:
    conversations: ConversationStore
    graphs: MongoGraphStore
    tasks: TaskStore
    objects: ObjectStore
    dispatcher: Dispatcher
    stored_graphs: StoredGraphFileReader
    vectors: VectorStore
    task_deadline: timedelta = field(default=timedelta(hours=2))

    async def _claim(self, user_id: str, status: GraphStatus, task_type: TaskType) -> str:
        """A new task holding the user's graph for a short lease, with a deadline."""
        task_id = f"task_{uuid.uuid4().hex}"
        if not await self.graphs.claim_for(user_id, status, task_id):
            raise GenerationRunningError(await self.graphs.running_task(user_id))
        await self.tasks.create(
            task_id, user_id, task_type.value, deadline_ms=_deadline_ms(CLAIM_LEASE)
        )
        return task_id

    async def _dispatched(self, task_id: str, user_id: str, *, holds_graph: bool) -> None:
        """Handed over: the task (and its claim) now last until the task's deadline."""
        deadline = _deadline_ms(self.task_deadline)
        await self.tasks.set_deadline(task_id, deadline)
        if holds_graph:
            await self.graphs.extend_claim(user_id, task_id, deadline)

    async def start(self, user_id: str, options: dict[str, object]) -> str:
        """Returns the new task's id; raises if nothing to do or already running."""
        if not await self.conversations.has_any(user_id):
            raise NothingToGenerateError("import conversations first: there is nothing to build")
        task_id = await self._claim(
            user_id, GraphStatus.CREATING, TaskType.GRAPH_GENERATION_REQUEST
        )
        try:
            prefix = bundle_prefix(task_id)
            await self._write_bundle(prefix, self.conversations.stream(user_id))
            request = GraphGenerationRequest.model_validate(
                {"userId": user_id, "s3Key": prefix, "bucket": self.objects.bucket, **options}
            )
            await self.dispatcher.generate(task_id, request)
        except Exception as exc:
            await self._abandon(task_id, user_id, exc)
            raise self._as_dispatch_error(exc) from exc
        await self._dispatched(task_id, user_id, holds_graph=True)
        log.info("generation dispatched", extra={"taskId": task_id, "userId": user_id})
        return task_id

    async def request_summary(self, user_id: str, language: str | None) -> str:
        """A new summary of the stored graph; returns the task's id."""
        if await self.graphs.current_generation(user_id) is None:
            raise NothingToGenerateError("there is no graph to summarise yet: generate it first")
        task_id = f"task_{uuid.uuid4().hex}"
        await self.tasks.create(
            task_id,
            user_id,
            TaskType.GRAPH_SUMMARY_REQUEST.value,
            deadline_ms=_deadline_ms(CLAIM_LEASE),
        )
        try:
            request = GraphSummaryRequest(
                user_id=user_id,
                graph_s3_key=(await self._write_stored(user_id, task_id, with_vectors=False))[0],
                bucket=self.objects.bucket,
                language=language,
            )
            await self.dispatcher.summarize(task_id, request)
        except Exception as exc:
            log.warning("task not handed over", extra={"taskId": task_id, "error": repr(exc)})
            await self.tasks.finish(
                task_id,
                user_id,
                TaskState.FAILED,
                error=DISPATCH_FAILED_TEXT,
                error_code="DISPATCH_FAILED",
            )
            raise self._as_dispatch_error(exc) from exc
        await self._dispatched(task_id, user_id, holds_graph=False)
        return task_id

    async def add_nodes(self, user_id: str, documents: AsyncIterable[Document]) -> str:
        """Place ``documents`` into the stored graph; returns the task's id. They are
        streamed into the bundle, so an import of any size is never held whole."""
        if await self.graphs.current_generation(user_id) is None:
            raise NothingToGenerateError("there is no graph to add to yet: generate it first")
        task_id = await self._claim(user_id, GraphStatus.UPDATING, TaskType.ADD_NODE_REQUEST)
        try:
            prefix = bundle_prefix(task_id)
            await self._write_bundle(prefix, documents)
            # Read once the claim is held: no item can be removed while they are written.
            graph_key, features_key = await self._write_stored(user_id, task_id, with_vectors=True)
            request = AddNodeRequest.model_validate(
                {
                    "userId": user_id,
                    "s3Key": prefix,
                    "bucket": self.objects.bucket,
                    "graphS3Key": graph_key,
                    "featuresS3Key": features_key,
                }
            )
            await self.dispatcher.add_nodes(task_id, request)
        except Exception as exc:
            await self._abandon(task_id, user_id, exc)
            raise self._as_dispatch_error(exc) from exc
        await self._dispatched(task_id, user_id, holds_graph=True)
        return task_id

    async def _write_stored(
        self, user_id: str, task_id: str, *, with_vectors: bool
    ) -> tuple[str, str | None]:
        """The graph as stored now (``stored-graph.json``) and, ``with_vectors``, every stored
        item's vector, earlier additions' too (``stored-features.json``), written beside the
        task's results for the AI service to start from; their keys. Not the last
        generation's files: nodes were added and items removed since (``graph_file``)."""
        current = await self.stored_graphs.read_current(user_id)
        if current is None:
            raise NothingToGenerateError("there is no graph yet: generate it first")
        gen, graph = current.gen, current.graph
        graph_key = result_key(user_id, task_id, STORED_GRAPH_FILE)
        body = await asyncio.to_thread(lambda: orjson.dumps(file_json(graph)))
        await self.objects.put_bytes(graph_key, body, content_type="application/json")
        if not with_vectors:
            return graph_key, None
        vectors = await self.vectors.vectors(gen)
        features_key = result_key(user_id, task_id, STORED_FEATURES_FILE)
        body = await asyncio.to_thread(features_json, graph, vectors)
        await self.objects.put_bytes(features_key, body, content_type="application/json")
        return graph_key, features_key

    async def _abandon(self, task_id: str, user_id: str, exc: Exception) -> None:
        log.warning("task not handed over", extra={"taskId": task_id, "error": repr(exc)})
        await self.tasks.finish(
            task_id,
            user_id,
            TaskState.FAILED,
            error=DISPATCH_FAILED_TEXT,
            error_code="DISPATCH_FAILED",
        )
        await self.graphs.restore_status(user_id, task_id)
        await self._remove_bundle(task_id)

    async def _remove_bundle(self, task_id: str) -> None:
        """A task that was never handed over leaves no bundle behind in S3."""
        try:
            for key in await self.objects.list_keys(bundle_prefix(task_id)):
                await self.objects.delete(key)
        except Exception:  # S3 itself may be what failed: the lifecycle rule cleans up later
            log.warning("bundle of an abandoned task left in S3", extra={"taskId": task_id})

    async def check_can_add_nodes(self, user_id: str) -> None:
        """Raise as ``add_nodes`` would, before anything of the upload is stored."""
        if await self.graphs.current_generation(user_id) is None:
            raise NothingToGenerateError("there is no graph to add to yet: generate it first")
        current = await self.graphs.stats(user_id)
        if current is not None and current.live_claim is not None:
            raise GenerationRunningError(current.live_claim)

    @staticmethod
    def _as_dispatch_error(exc: Exception) -> DispatchError:
        if isinstance(exc, DispatchError):
            return exc
        return DispatchError(f"the task could not be prepared: {exc}")

    async def _write_bundle(self, prefix: str, documents: AsyncIterable[Document]) -> None:
        conversations, notes = JsonArrayWriter(), JsonArrayWriter(b'{"source_nodes":[', b"]}")
        note_chunks: list[bytes] = []
        async with self.objects.multipart_upload(
            prefix + BUNDLE_INPUT_FILE, content_type="application/json"
        ) as writer:
            async for document in documents:
                if is_note(document):
                    note_chunks.append(notes.item(note_entry(document)))
                else:
                    await writer.write(conversations.item(chatgpt_conversation(document)))
            await writer.write(conversations.close())
        if notes.count:
            await self.objects.put_bytes(
                prefix + BUNDLE_NOTES_FILE,
                b"".join([*note_chunks, notes.close()]),
                content_type="application/json",
            )
