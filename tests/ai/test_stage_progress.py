"""Progress that moves inside a stage: the embedder reports the fraction of chunks encoded,
the pipeline turns it into overall percents, the publisher's throttle and ETA follow it, and
the terminal shows it on one clean line."""

from __future__ import annotations

import io

import numpy as np

from graphnode.ai.pipeline.embedder import DocumentEmbedder, EmbeddingBatcher
from graphnode.ai.pipeline.stages import TOTAL_WEIGHT, Stage, StageClock
from graphnode.ai.service.progress import EtaClock, Throttle
from graphnode.client.progress_line import ProgressLine, render
from tests.ai.test_pipeline_stages import WordModel


async def test_the_embedder_reports_the_fraction_of_chunks_encoded_after_each_batch():
    texts = [" ".join(f"d{d}w{i}" for i in range(n)) for d, n in enumerate([3, 25, 7, 40, 12])]
    model = WordModel()
    fractions: list[float] = []

    async def progress(fraction: float) -> None:
        fractions.append(fraction)

    async with EmbeddingBatcher(model.encode, max_batch=2, max_wait=0.001) as batcher:
        embedded = await DocumentEmbedder(model, batcher).embed(texts, progress=progress)
    assert len(fractions) == len(model.batches) > 3  # one report per model batch
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    chunks_done = np.cumsum([len(batch) for batch in model.batches])
    assert fractions == list(chunks_done / embedded.chunks)


async def test_a_stage_reports_percents_within_its_own_share():
    reported: list[tuple[str, float]] = []

    async def progress(stage: str, percent: float) -> None:
        reported.append((stage, percent))

    async def nothing() -> None:
        return None

    async def embedding(report) -> None:
        for fraction in (0.25, 0.5, 1.0, 1.5):  # past the end: held at the stage's end
            await report(fraction)

    stages = StageClock(progress)
    await stages.run(Stage.CLEANING, nothing())
    await stages.run(Stage.EMBEDDING, embedding(stages.within(Stage.EMBEDDING)))
    await stages.run(Stage.CLUSTERING, nothing())
    total = TOTAL_WEIGHT
    cleaning, embedding_share = Stage.CLEANING.weight, Stage.EMBEDDING.weight

    def percent(done: float) -> float:
        return round(100 * done / total, 1)

    assert reported == [
        ("Cleaning text", 0.0),
        ("Embedding", percent(cleaning)),
        ("Embedding", percent(cleaning + embedding_share / 4)),
        ("Embedding", percent(cleaning + embedding_share / 2)),
        ("Embedding", percent(cleaning + embedding_share)),
        ("Embedding", percent(cleaning + embedding_share)),
        ("Clustering", percent(cleaning + embedding_share)),
    ]


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_throttle_sends_stage_changes_at_once_and_progress_within_a_stage_sparingly():
    clock = Clock()
    throttle = Throttle(min_interval=3.0, clock=clock)

    def offer(stage: str, after: float) -> bool:
        clock.now += after
        allowed = throttle.allows(stage)
        if allowed:
            throttle.sent(stage)
        return allowed

    assert offer("Cleaning text", 0)
    assert not offer("Embedding", 0.5)  # right after the last: only the later stage is seen
    assert not offer("Embedding", 1.0)  # within the interval of the last message
    assert offer("Embedding", 2.0)  # 3.5 s after it
    assert not offer("Embedding", 2.9)
    assert offer("Embedding", 0.2)
    assert offer("Clustering", 1.5)  # a new stage, past a third of the interval


def test_the_eta_follows_the_percent_done():
    clock = Clock()
    eta = EtaClock(clock)
    clock.now += 10
    assert eta.seconds_left(4.0) is None  # too early to say
    assert eta.seconds_left(20.0) == 40.0
    clock.now += 10
    assert eta.seconds_left(50.0) == 20.0


def test_outside_a_terminal_the_progress_line_is_one_line_per_stage():
    out = io.StringIO()
    line = ProgressLine(out)
    for percent, stage in [(0, "Cleaning text"), (4, "Embedding"), (20, "Embedding")]:
        line.show(percent, stage)
    line.show(54, "Clustering", 12.4)
    line.show(100, "Done", last=True)
    assert out.getvalue().splitlines() == [
        render(0, "Cleaning text"),
        render(4, "Embedding"),
        render(54, "Clustering", 12.4),
        render(100, "Done"),
    ]
    assert render(54, "Clustering", 12.4).endswith("54.0% Clustering ~12s left")
    assert "\r" not in out.getvalue()
