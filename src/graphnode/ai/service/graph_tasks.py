"""One graph task from request to result: read the bundle, run the pipeline with progress,
write the three files under ``graphs/{userId}/{taskId}/``, publish exactly one result.

Problems with the user's data end as a FAILED result with an ``errorCode`` a client can act
on; infrastructure failures raise, so the queue redelivers the request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from graphnode.adapters.s3 import ObjectNotFoundError, ObjectStore
from graphnode.adapters.sqs import QueueClient
from graphnode.ai.pipeline.assemble import now_iso
from graphnode.ai.pipeline.from_graph import parts_from_graph
from graphnode.ai.pipeline.runner import EmptyInputError, GraphPipeline
from graphnode.ai.pipeline.summary import build_summary
from graphnode.ai.service.add_nodes import MissingGraphError, build_addition
from graphnode.ai.service.progress import ProgressPublisher
from graphnode.contracts import (
    FEATURES_FILE,
    GRAPH_FILE,
    SUMMARY_FILE,
    AddNodeRequest,
    AddNodeResult,
    ContractError,
    GraphGenerationRequest,
    GraphGenerationResult,
    GraphSummaryRequest,
    GraphSummaryResult,
    Message,
    ResultStatus,
    parse_features,
    parse_graph,
    result_key,
)
from graphnode.contracts.identifiers import BUNDLE_FILES, BUNDLE_INPUT_FILE
from graphnode.ingest.parse import ParseError, parse_bundle
from graphnode.logs import log_context

log = logging.getLogger("graphnode.ai.tasks")

R = TypeVar("R", GraphGenerationResult, GraphSummaryResult, AddNodeResult)


class BundleError(ValueError):
    """The input bundle is missing or unreadable: the user's data, not our infrastructure."""


class ErrorCode:
    BAD_BUNDLE = "BAD_BUNDLE"
    BAD_GRAPH = "BAD_GRAPH"
    EMPTY_INPUT = "EMPTY_INPUT"


@dataclass(frozen=True)
class GraphTaskRunner:
    objects: ObjectStore
    sqs: QueueClient
    result_queue: str
    pipeline: GraphPipeline

    async def generate(self, task_id: str, request: GraphGenerationRequest) -> ResultStatus:
        return await self._run(
            task_id,
            request.user_id,
            GraphGenerationResult,
            lambda: self._build(task_id, request),
            {
                BundleError: ErrorCode.BAD_BUNDLE,
                ParseError: ErrorCode.BAD_BUNDLE,
                EmptyInputError: ErrorCode.EMPTY_INPUT,
            },
        )

    async def _run(
        self,
        task_id: str,
        user: str,
        result_type: type[R],
        work: Callable[[], Awaitable[R]],
        user_errors: Mapping[type[Exception], str],
    ) -> ResultStatus:
        """Run a task and publish exactly one result. Errors in ``user_errors`` are the
        user's data, not our infrastructure: they end as a FAILED result with their code;
        anything else raises, so the queue redelivers the request."""
        with log_context(taskId=task_id, userId=user):
            try:
                result = await work()
            except tuple(user_errors) as exc:
                code = next(c for kind, c in user_errors.items() if isinstance(exc, kind))
                log.warning("task failed", extra={"errorCode": code, "reason": str(exc)})
                result = result_type(
                    user_id=user, status=ResultStatus.FAILED, error=str(exc), error_code=code
                )
            await self.sqs.send(
                self.result_queue, Message(task_id=task_id, payload=result).to_json()
            )
            log.info(
                "task finished",
                extra={"status": result.status.value, "errorCode": result.error_code},
            )
            return result.status

    async def _build(self, task_id: str, request: GraphGenerationRequest) -> GraphGenerationResult:
        files = await self._bundle(request.s3_key, request.bucket)
        documents = await asyncio.to_thread(parse_bundle, files)
        progress = ProgressPublisher(self.sqs, self.result_queue, task_id, request.user_id)
        built = await self.pipeline.run(documents, request.generation_options(), progress)
        user = request.user_id
        keys = {name: result_key(user, task_id, name) for name in BUNDLE_OUTPUTS}
        uploads = [
            self.objects.put_json(keys[GRAPH_FILE], built.graph),
            self.objects.put_json(keys[FEATURES_FILE], built.features),
        ]
        if built.summary is not None:
            uploads.append(self.objects.put_json(keys[SUMMARY_FILE], built.summary))
        await asyncio.gather(*uploads)
        return GraphGenerationResult(
            user_id=user,
            status=ResultStatus.COMPLETED,
            result_s3_key=keys[GRAPH_FILE],
            features_s3_key=keys[FEATURES_FILE],
            summary_included=built.summary is not None,
            summary_s3_key=keys[SUMMARY_FILE] if built.summary is not None else None,
        )

    async def summarize(self, task_id: str, request: GraphSummaryRequest) -> ResultStatus:
        """A new summary of a stored graph, without running the pipeline again."""
        return await self._run(
            task_id,
            request.user_id,
            GraphSummaryResult,
            lambda: self._summary(task_id, request),
            {ObjectNotFoundError: ErrorCode.BAD_GRAPH, ContractError: ErrorCode.BAD_GRAPH},
        )

    async def _summary(self, task_id: str, request: GraphSummaryRequest) -> GraphSummaryResult:
        raw = await self.objects.get_bytes(request.graph_s3_key, bucket=request.bucket)
        summary = await build_summary(
            parts_from_graph(parse_graph(raw)),
            self.pipeline.summary_writer,
            language=request.language,
            generated_at=now_iso(),
        )
        key = result_key(request.user_id, task_id, SUMMARY_FILE)
        await self.objects.put_json(key, summary)
        return GraphSummaryResult(
            user_id=request.user_id, status=ResultStatus.COMPLETED, summary_s3_key=key
        )

    async def add_nodes(self, task_id: str, request: AddNodeRequest) -> ResultStatus:
        """Place a batch of new conversations into the user's stored graph."""
        return await self._run(
            task_id,
            request.user_id,
            AddNodeResult,
            lambda: self._add(task_id, request),
            {
                BundleError: ErrorCode.BAD_BUNDLE,
                ParseError: ErrorCode.BAD_BUNDLE,
                EmptyInputError: ErrorCode.EMPTY_INPUT,
                MissingGraphError: ErrorCode.BAD_GRAPH,
                ObjectNotFoundError: ErrorCode.BAD_GRAPH,
                ContractError: ErrorCode.BAD_GRAPH,
            },
        )

    async def _add(self, task_id: str, request: AddNodeRequest) -> AddNodeResult:
        # The payload model has already checked that both keys are under the user's prefix.
        graph_key, features_key = request.graph_s3_key, request.features_s3_key
        if graph_key is None or features_key is None:
            raise MissingGraphError("the request names no graphS3Key and featuresS3Key")
        files = await self._bundle(request.s3_key, request.bucket)
        documents = await asyncio.to_thread(parse_bundle, files)
        graph_raw, features_raw = await asyncio.gather(
            self.objects.get_bytes(graph_key, bucket=request.bucket),
            self.objects.get_bytes(features_key, bucket=request.bucket),
        )
        addition = await build_addition(
            self.pipeline, documents, parse_graph(graph_raw), parse_features(features_raw)
        )
        key = result_key(request.user_id, task_id, GRAPH_FILE)
        await self.objects.put_json(key, addition)
        return AddNodeResult(
            user_id=request.user_id, status=ResultStatus.COMPLETED, result_s3_key=key
        )

    async def _bundle(self, prefix: str, bucket: str | None) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        for name in BUNDLE_FILES:
            try:
                files[name] = await self.objects.get_bytes(f"{prefix}{name}", bucket=bucket)
            except ObjectNotFoundError:
                continue
        if BUNDLE_INPUT_FILE not in files:
            raise BundleError(f"the bundle {prefix!r} has no {BUNDLE_INPUT_FILE}")
        return files


BUNDLE_OUTPUTS = (GRAPH_FILE, FEATURES_FILE, SUMMARY_FILE)
