"""Topic names on the sample export without an LLM: phrase labels that read like topics,
and representative titles that are central members, never reassigned noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from graphnode.ai.pipeline import runner
from graphnode.ai.pipeline.assemble import GraphParts
from graphnode.ai.pipeline.representatives import central_half
from graphnode.ai.pipeline.runner import PipelineOptions
from graphnode.ingest.parse import parse_paths

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "chatgpt-export"


@pytest.fixture(scope="module")
async def sample_parts(keyword_pipeline) -> GraphParts:
    """The parts the pipeline assembles for the sample (what the summary writer reads)."""
    seen: list[GraphParts] = []
    original = runner.build_graph

    def recording(parts: GraphParts, **kwargs):
        seen.append(parts)
        return original(parts, **kwargs)

    documents = parse_paths([SAMPLE / "conversations.json", SAMPLE / "notes.json"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(runner, "build_graph", recording)
        await keyword_pipeline.pipeline.run(documents, PipelineOptions(include_summary=False))
    return seen[0]


def test_phrase_labels_read_like_topics(sample_parts: GraphParts) -> None:
    names = [label.name for label in sample_parts.labels]
    assert len(names) == 6
    for name in names:
        assert "," not in name  # never a list of three keywords ("Kyoto, Day & Hakone")
        assert name.count("&") <= 1
        assert 3 <= len(name) <= 40
    assert len({name.casefold() for name in names}) == len(names)
    assert any(" " in terms[0][0] for terms in sample_parts.keywords.per_cluster)  # phrases
    text = " ".join(names).casefold()
    for word in ("rust", "marathon", "fund", "kyoto"):
        assert word in text


def test_representatives_are_central_members_and_never_reassigned_noise(
    sample_parts: GraphParts,
) -> None:
    labels = sample_parts.clustering.labels
    noise = sample_parts.clustering.reassigned_mask
    assert len(sample_parts.representatives) == sample_parts.clustering.count
    for k, items in enumerate(sample_parts.representatives):
        items = list(items)
        assert items
        assert all(labels[i] == k for i in items)
        assert not noise[items].any()
        assert all(central_half(sample_parts.vectors, labels, items[:4]))
    assert len(np.unique(np.concatenate(sample_parts.representatives))) == sum(
        map(len, sample_parts.representatives)
    )
