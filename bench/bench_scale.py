"""A heavy user's years of history (issue 15.5): the pipeline on 20,000 ShareGPT conversations,
on the CPU, with the time and peak memory of each stage.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py                       # 20,000, see below
    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --items 5000 --vectors model

The conversations are the packaged ShareGPT file's first ``--items`` (parsed by GraphNode's
parser, cleaned by the pipeline); the file holds 17,533, so past that the longest are split
in two at their middle user turn (``sharegpt.documents_split_to``: real text, no copies).
The pipeline is the one ``open_pipeline`` builds, with
``llm_backend='keywords'``, run once after its warm-up (UMAP and, past 20,000 items' exact
limit, NNDescent compiled first, as the AI service does at start).

``--vectors`` chooses the document vectors:
- ``model``: the real embedder with the CPU default budget (about 60-100 ms a conversation on
  2 cores: 20-35 minutes for 20,000);
- ``first`` (the default): the same model on each conversation's first window only, embedded
  before the timed run and handed to the pipeline, whose Embedding stage then costs nothing;
  the vectors are real, so every other stage sees the structure it would. The Embedding
  stage's full cost is linear in the conversations (``bench/bench_pipeline.py`` gives its
  rate).

Memory: the resident set of this process sampled every 20 ms from ``/proc/self/statm``; the
peak during each stage, and the baseline before the run (the model, the texts). Target:
nothing quadratic: the peak above the baseline under 4 GB at 20,000 (a dense 20,000 x 20,000
float32 matrix alone is 1.6 GB; float64, 3.2 GB).

Fairness (``--small``, default 30): the service runs many users' tasks in one process, so a
small task must not wait for a big one. A task of the file's first 30 conversations (real
embedder) is timed alone, then the big task runs again with that small task started over and
over beside it (5 s apart); reported: each run's time and the big task's stage when it began,
the worst against alone. That is done twice in the run: first with the big task's CPU
stages in this process's threads (``GRAPHNODE_BACKGROUND_ITEMS=0``, the baseline), then in
the background process (``graphnode.ai.pipeline.cpu_stages``, the default past 2,000 items).
With ``--vectors first`` the big task's Embedding stage is instant,
so this measures its CPU stages (neighbour graph, UMAP, keywords, layout) against the small
task; the shared embedding model's turn-taking is tested in tests/ai (a small task is served
within 2 model calls of a 5,000-item one), and ``--vectors model`` measures both.

``--cache`` keeps the first-window vectors in ``bench/results/`` (git ignores it), so a rerun
on the same items and model skips their embedding.

Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.bench_pipeline import PrecomputedEmbedder
from bench.memory import MB, MemoryWatch, resident_bytes
from bench.sharegpt import documents, documents_split_to

from graphnode.ai.components import open_pipeline
from graphnode.ai.pipeline.cpu_stages import CpuStages
from graphnode.ai.pipeline.embedder import Embeddings
from graphnode.ai.pipeline.keywords import ClassTfidfKeywords
from graphnode.ai.pipeline.reduction import EXACT_NEIGHBOURS_MAX
from graphnode.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
STARTED = time.perf_counter()
# Between two small tasks while the big one runs: often enough to meet every stage of it,
# seldom enough that the big task's stage times stay near what it takes alone.
SMALL_PAUSE_S = 5.0


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def first_windows(components: Any, docs: Sequence[Any]) -> Embeddings:
    """Each kept conversation's first window through the pipeline's model, in batches."""
    kept = (components.pipeline.clean(d) for d in docs)
    texts = [d.text for d in kept if any(s.text.strip() for s in d.sections)]
    batches = (texts[i : i + 64] for i in range(0, len(texts), 64))
    rows = [components.model.encode(batch) for batch in batches]
    return Embeddings(np.vstack(rows).astype(np.float32), len(texts), 0)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--vectors", choices=("first", "model"), default="first")
    parser.add_argument(
        "--small", type=int, default=30, help="conversations of the small task (0: none)"
    )
    parser.add_argument("--cache", action="store_true", help="keep the first-window vectors")
    return parser.parse_args()


def cached_first_windows(components: Any, docs: Sequence[Any], cache: bool) -> Embeddings:
    path = RESULTS / f"scale-first-{len(docs)}-{components.model.name}.npy"
    if cache and path.exists():
        vectors = np.load(path)
        return Embeddings(vectors, len(vectors), 0)
    given = first_windows(components, docs)
    if cache:
        RESULTS.mkdir(exist_ok=True)
        np.save(path, given.vectors)
    return given


async def warm_background(cpu: CpuStages, reducer: Any, items: int) -> None:
    """Start the background process and compile its kernels before the timed run, as the
    AI service does at start."""
    if cpu.in_background(items):
        await cpu.run(items, reducer.warm_up)
        if items > EXACT_NEIGHBOURS_MAX:
            await cpu.run(items, reducer.warm_up_approximate)


def with_cpu(pipeline: Any, components: Any, cpu: CpuStages) -> Any:
    """The pipeline with its CPU stages (and its keyword counting) run by ``cpu``."""
    keywords = ClassTfidfKeywords(encoder=components.batcher, cpu=cpu)
    return dataclasses.replace(pipeline, cpu=cpu, keywords=keywords)


@dataclasses.dataclass
class SmallTasks:
    """A small user's task run alone, then again and again beside the big one."""

    pipeline: Any
    docs: list[Any]
    runs: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    async def once(self) -> float:
        started = time.perf_counter()
        await self.pipeline.run(self.docs)
        return time.perf_counter() - started

    async def beside(self, big: asyncio.Future[Any], watch: MemoryWatch) -> None:
        while not big.done():
            stage = watch.phase
            seconds = await self.once()
            self.runs.append({"big_stage": stage, "seconds": round(seconds, 2)})
            say(f"  small task beside '{stage}': {seconds:.1f} s")
            await asyncio.wait([big], timeout=SMALL_PAUSE_S)


def small_task_figures(alone_s: float, runs: list[dict[str, Any]]) -> dict[str, Any]:
    by_stage: dict[str, list[float]] = {}
    for run in runs:
        by_stage.setdefault(run["big_stage"], []).append(run["seconds"])
    worst = max((r["seconds"] for r in runs), default=alone_s)
    return {
        "alone_s": round(alone_s, 2),
        "beside_big": runs,
        "worst_s": worst,
        "worst_against_alone": round(worst / alone_s, 2),
        "median_s": round(float(np.median([r["seconds"] for r in runs] or [alone_s])), 2),
        "median_by_big_stage_s": {
            stage: round(float(np.median(values)), 2) for stage, values in by_stage.items()
        },
    }


async def main() -> None:
    args = arguments()
    settings = dataclasses.replace(Settings.from_env(), llm_backend="keywords")
    report: dict[str, Any] = {"items": args.items, "vectors": args.vectors}
    say(f"loading {args.items} conversations")
    docs, split = documents_split_to(args.items)
    report.update(conversations=len(docs), split_in_two=split)
    async with open_pipeline(settings) as components:
        reducer = components.pipeline.clusterer.reducer
        say("warm-up: UMAP, then NNDescent (as the AI service does at start)")
        reducer.warm_up()
        reducer.warm_up_approximate()
        pipeline = components.pipeline
        await warm_background(pipeline.cpu, reducer, len(docs))
        small = SmallTasks(components.pipeline, documents(args.small)) if args.small else None
        if small is not None:
            await small.once()  # the first run of a shape is slow on a CPU: untimed
            alone = await small.once()
            say(f"small task ({args.small} conversations) alone: {alone:.1f} s")
        if args.vectors == "first":
            say("embedding each conversation's first window (untimed)")
            started = time.perf_counter()
            given = cached_first_windows(components, docs, args.cache)
            report["first_window_embedding_s"] = round(time.perf_counter() - started, 1)
            pipeline = dataclasses.replace(pipeline, embedder=PrecomputedEmbedder(given))
        with MemoryWatch() as watch:
            await asyncio.sleep(0.1)
            baseline = resident_bytes()

            async def progress(stage: str, percent: float) -> None:
                if stage != watch.phase:
                    say(f"  {percent:5.1f}% {stage}")
                watch.phase = stage

            say(f"the big task alone ({len(docs)} conversations)")
            started = time.perf_counter()
            result = await pipeline.run(docs, progress=progress)
            wall = time.perf_counter() - started
            stage_peaks = dict(watch.peaks)
            peak = max(stage_peaks.values())
        if small is not None:
            modes = {
                "threads": CpuStages(0),
                "background": CpuStages(settings.background_items or EXACT_NEIGHBOURS_MAX),
            }
            for mode, cpu in modes.items():
                say(f"the big task again, the small one beside it (CPU stages: {mode})")
                small.runs = []
                beside = with_cpu(pipeline, components, cpu)
                try:
                    await warm_background(cpu, reducer, len(docs))
                    with MemoryWatch() as watch:
                        again = asyncio.ensure_future(beside.run(docs, progress=progress))
                        await small.beside(again, watch)
                        await again
                finally:
                    cpu.close()
                report[f"small_task_{mode}"] = small_task_figures(alone, small.runs)
    report.update(
        wall_s=round(wall, 1),
        stages_s={name: round(seconds, 2) for name, seconds in result.timings.items()},
        baseline_rss_mb=round(baseline / MB),
        peak_rss_mb={stage: round(value / MB) for stage, value in stage_peaks.items()},
        peak_above_baseline_mb=round((peak - baseline) / MB),
        clusters=result.graph["metadata"]["total_clusters"],
        edges=result.graph["metadata"]["total_edges"],
        nodes=result.graph["metadata"]["total_nodes"],
        load_average_end=os.getloadavg(),
    )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    verdict = "met" if peak - baseline < 4 * 2**30 else "NOT met"
    print(f"peak above baseline {report['peak_above_baseline_mb']} MB: < 4 GB target {verdict}")
    for mode in ("threads", "background"):
        figures = report.get(f"small_task_{mode}")
        if figures:
            print(
                f"small task, big task's CPU stages in {mode}: {figures['alone_s']} s alone, "
                f"at worst {figures['worst_s']} s beside the big one "
                f"({figures['worst_against_alone']}x), median {figures['median_s']} s"
            )


if __name__ == "__main__":
    asyncio.run(main())
