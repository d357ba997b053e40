"""A heavy user's years of history (issue 15.5): the pipeline on 20,000 ShareGPT conversations,
on the CPU, with the time and peak memory of each stage.

    PYTHONPATH=. .venv/bin/python bench/bench_scale.py                       # 20,000, see below
    PYTHONPATH=. .venv/bin/python bench/bench_scale.py --items 5000 --vectors model

The conversations are the packaged ShareGPT file's first ``--items`` (parsed by GraphNode's
parser, cleaned by the pipeline). The pipeline is the one ``open_pipeline`` builds, with
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

Writes bench/results/scale.json.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench.bench_pipeline import PrecomputedEmbedder
from bench.sharegpt import documents

from graphnode.ai.components import open_pipeline
from graphnode.ai.pipeline.embedder import Embeddings
from graphnode.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_S = 0.02
STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - STARTED:7.1f}s] {message}", flush=True)


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


class MemoryWatch:
    """Samples the resident set in a thread; ``stage`` names where the samples go."""

    def __init__(self) -> None:
        self.stage = "before"
        self.peaks: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            now = resident_bytes()
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0), now)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


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
    return parser.parse_args()


async def main() -> None:
    args = arguments()
    settings = dataclasses.replace(Settings(), llm_backend="keywords")
    report: dict[str, Any] = {"items": args.items, "vectors": args.vectors}
    say(f"loading {args.items} conversations")
    docs = documents(args.items)
    report["conversations"] = len(docs)
    async with open_pipeline(settings) as components:
        reducer = components.pipeline.clusterer.reducer
        say("warm-up: UMAP, then NNDescent (as the AI service does at start)")
        reducer.warm_up()
        reducer.warm_up_approximate()
        pipeline = components.pipeline
        if args.vectors == "first":
            say("embedding each conversation's first window (untimed)")
            started = time.perf_counter()
            given = first_windows(components, docs)
            report["first_window_embedding_s"] = round(time.perf_counter() - started, 1)
            pipeline = dataclasses.replace(pipeline, embedder=PrecomputedEmbedder(given))
        with MemoryWatch() as watch:
            await asyncio.sleep(5 * SAMPLE_S)
            baseline = resident_bytes()

            async def progress(stage: str, percent: float) -> None:
                if stage != watch.stage:
                    say(f"  {percent:5.1f}% {stage}")
                watch.stage = stage

            started = time.perf_counter()
            result = await pipeline.run(docs, progress=progress)
            wall = time.perf_counter() - started
    report.update(
        wall_s=round(wall, 1),
        stages_s={name: round(seconds, 2) for name, seconds in result.timings.items()},
        baseline_rss_mb=round(baseline / 2**20),
        peak_rss_mb={stage: round(peak / 2**20) for stage, peak in watch.peaks.items()},
        clusters=result.graph["metadata"]["total_clusters"],
        edges=result.graph["metadata"]["total_edges"],
        nodes=result.graph["metadata"]["total_nodes"],
        load_average_end=os.getloadavg(),
    )
    peak = max(watch.peaks.values())
    report["peak_above_baseline_mb"] = round((peak - baseline) / 2**20)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    verdict = "met" if peak - baseline < 4 * 2**30 else "NOT met"
    print(f"peak above baseline {report['peak_above_baseline_mb']} MB: < 4 GB target {verdict}")


if __name__ == "__main__":
    asyncio.run(main())
