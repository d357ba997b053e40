"""``graphnode build EXPORT... --out DIR``: the whole pipeline on local files, with no AWS,
database or network; writes graph.json, features.json and summary.json."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import orjson

from graphnode.ai.components import open_pipeline
from graphnode.ai.pipeline.runner import EmptyInputError, PipelineOptions, PipelineResult
from graphnode.ai.service.progress import EtaClock
from graphnode.client.progress_line import ProgressLine
from graphnode.contracts import FEATURES_FILE, GRAPH_FILE, SUMMARY_FILE
from graphnode.ingest.parse import ParseError, parse_paths
from graphnode.settings import Settings


class _Progress:
    """The pipeline's progress on one line, with an ETA as the service computes it (its
    clock starts with the pipeline: loading the models says nothing of the rest)."""

    def __init__(self, line: ProgressLine) -> None:
        self._line, self._eta = line, EtaClock()

    async def __call__(self, stage: str, percent: float) -> None:
        self._line.show(percent, stage, self._eta.seconds_left(percent))


def _write(out: Path, result: PipelineResult) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = {GRAPH_FILE: result.graph, FEATURES_FILE: result.features}
    if result.summary is not None:
        files[SUMMARY_FILE] = result.summary
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(orjson.dumps(content, option=orjson.OPT_INDENT_2))
        written.append(path)
    return written


async def build(
    paths: Sequence[Path], out: Path, options: PipelineOptions, settings: Settings
) -> PipelineResult:
    documents = await asyncio.to_thread(parse_paths, paths)
    print(
        f"read {len(documents)} conversations and notes from {len(paths)} file(s)", file=sys.stderr
    )
    line = ProgressLine()
    line.show(0.0, "Loading the models")
    async with open_pipeline(settings) as components:
        result = await components.pipeline.run(documents, options, _Progress(line))
    line.show(100.0, "Done", last=True)
    await asyncio.to_thread(_write, out, result)
    return result


def run_build(paths: Sequence[str], out: str, options: PipelineOptions, llm: str | None) -> int:
    settings = Settings.from_env()
    if llm:
        settings = dataclasses.replace(settings, llm_backend=llm)
    started = time.perf_counter()
    try:
        result = asyncio.run(build([Path(p) for p in paths], Path(out), options, settings))
    except (ParseError, EmptyInputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    clusters = result.graph["metadata"]["clusters"]
    print(
        f"{len(result.graph['nodes'])} nodes, {len(result.graph['edges'])} edges, "
        f"{len(clusters)} clusters in {time.perf_counter() - started:.1f}s -> {out}"
    )
    for cluster_id, info in clusters.items():
        print(f"  {cluster_id:<11} {info['size']:>4}  {info['name']}")
    return 0
