"""The stored summary after one item left the graph: what it said of the item goes, what it
said of everything else stays word for word, and the counts are the graph's now."""

from __future__ import annotations

from typing import Any

from graphnode.storage.summary_scrub import (
    phrase_pattern,
    summary_without_items,
    without_sentences_quoting,
)

TITLE = "Why is my starter flat?"


def _summary() -> dict[str, Any]:
    return {
        "overview": {
            "total_source_nodes": 10,
            "total_clusters": 3,
            "primary_interests": ["Sourdough baking", "Chess openings", "Rose pruning"],
            "summary_text": (
                "Sourdough baking takes up half of your conversations. "
                f"You asked “{TITLE}” and how to feed a starter. "
                "Rose pruning comes up now and then."
            ),
        },
        "clusters": [
            {
                "cluster_id": "cluster_0",
                "name": "Sourdough baking",
                "size": 5,
                "share": 0.5,
                "representative_titles": [TITLE, "Feeding a rye starter"],
                "insight_text": (
                    f"Typical conversations include “{TITLE}” and “Feeding a rye starter”. "
                    "It links to Chess openings."
                ),
            },
            {
                "cluster_id": "cluster_1",
                "name": "Chess openings",
                "size": 4,
                "share": 0.4,
                "representative_titles": ["The Italian game"],
                "insight_text": "A typical conversation: “The Italian game”.",
            },
            {
                "cluster_id": "cluster_2",
                "name": "Rose pruning",
                "size": 1,
                "share": 0.1,
                "representative_titles": ["Pruning roses in March"],
                "insight_text": "One conversation.",
            },
        ],
        "connections": [
            {"source_cluster": "cluster_0", "target_cluster": "cluster_1"},
            {"source_cluster": "cluster_0", "target_cluster": "cluster_2"},
        ],
        "patterns": [
            {"type": "focus", "text": "Sourdough baking and Rose pruning lead.", "clusters": []},
            {"type": "dormant", "text": "Rose pruning went quiet.", "clusters": ["cluster_2"]},
            {"type": "activity", "text": "You were busiest in May 2026, with 4 conversations."},
        ],
        "recommendations": [
            {"type": "revisit", "text": "Go back to Rose pruning.", "clusters": ["cluster_2"]},
            {"type": "bridge_topics", "text": "Bake and play.", "clusters": ["cluster_0"]},
        ],
        "language": "en",
    }


def test_the_items_title_and_the_sentences_quoting_it_go_and_the_rest_stays() -> None:
    after = summary_without_items(
        _summary(), [TITLE], {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}, 9
    )
    overview = after["overview"]
    assert overview["summary_text"] == (
        "Sourdough baking takes up half of your conversations. Rose pruning comes up now and then."
    )
    assert overview["total_source_nodes"] == 9
    assert overview["total_clusters"] == 3
    bread = after["clusters"][0]
    assert bread["representative_titles"] == ["Feeding a rye starter"]
    assert bread["insight_text"] == "It links to Chess openings."
    assert (bread["size"], bread["share"]) == (4, round(4 / 9, 4))
    assert after["clusters"][1]["insight_text"] == "A typical conversation: “The Italian game”."
    assert TITLE not in str(after)
    assert len(after["connections"]) == 2
    assert after["patterns"] == _summary()["patterns"]


def test_a_topic_left_without_items_goes_with_what_names_it() -> None:
    after = summary_without_items(
        _summary(), ["Pruning roses in March"], {"cluster_0": 5, "cluster_1": 4}, 9
    )
    assert [c["cluster_id"] for c in after["clusters"]] == ["cluster_0", "cluster_1"]
    assert after["overview"]["primary_interests"] == ["Sourdough baking", "Chess openings"]
    assert after["overview"]["total_clusters"] == 2
    assert "Rose pruning" not in after["overview"]["summary_text"]
    assert after["connections"] == [{"source_cluster": "cluster_0", "target_cluster": "cluster_1"}]
    assert [p["type"] for p in after["patterns"]] == ["activity"]  # the focus quoted it too
    assert [r["type"] for r in after["recommendations"]] == ["bridge_topics"]
    assert "Rose" not in str(after)
    assert "Pruning" not in str(after)


def test_a_repeat_changes_nothing_more() -> None:
    sizes = {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}
    once = summary_without_items(_summary(), [TITLE], sizes, 9)
    assert summary_without_items(once, [TITLE], sizes, 9) == once


def test_an_overview_that_only_named_the_item_becomes_the_plain_facts() -> None:
    summary = _summary()
    summary["overview"]["summary_text"] = f"Mostly “{TITLE}”."
    after = summary_without_items(
        summary, [TITLE], {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}, 9
    )
    assert after["overview"]["summary_text"] == (
        "Your graph holds 9 conversations; the largest topics are "
        "Sourdough baking, Chess openings and Rose pruning."
    )
    summary["language"] = "ko"
    korean = summary_without_items(
        summary, [TITLE], {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}, 9
    )
    assert korean["overview"]["summary_text"] == (  # no English put into a Korean summary
        "그래프에는 대화 9개가 있습니다. "
        "가장 큰 주제는 \u2018Sourdough baking\u2019, \u2018Chess openings\u2019, "
        "\u2018Rose pruning\u2019 주제입니다."
    )
    summary["language"] = "ja"
    japanese = summary_without_items(
        summary, [TITLE], {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}, 9
    )
    assert japanese["overview"]["summary_text"] == (
        "グラフには9件の会話があります。"
        "最も大きなトピックは「Sourdough baking」、「Chess openings」、「Rose pruning」です。"
    )
    summary["language"] = "fr"
    french = summary_without_items(
        summary, [TITLE], {"cluster_0": 4, "cluster_1": 4, "cluster_2": 1}, 9
    )
    assert french["overview"]["summary_text"] == ""  # nor into a French one


def test_the_plain_overview_names_the_topics_largest_now() -> None:
    summary = _summary()
    summary["overview"]["summary_text"] = f"Mostly “{TITLE}”."
    after = summary_without_items(
        summary, [TITLE], {"cluster_0": 1, "cluster_1": 4, "cluster_2": 2}, 7
    )
    assert after["overview"]["summary_text"] == (
        "Your graph holds 7 conversations; the largest topics are "
        "Chess openings, Rose pruning and Sourdough baking."
    )


def test_sentences_are_matched_whatever_the_spacing_and_a_short_title_is_left() -> None:
    text = "First.  You asked “why IS my\nstarter flat?”. Last one!"
    assert without_sentences_quoting(text, phrase_pattern([TITLE])) == "First.  Last one!"
    # "Hi" would match words that are not about the item: nothing is taken out.
    assert without_sentences_quoting("Hi there. His work.", phrase_pattern(["Hi"])) == (
        "Hi there. His work."
    )


def test_full_width_sentences_are_told_apart_without_spaces() -> None:
    text = "빵 굽기가 가장 많습니다。「사워도우 스타터」를 물었습니다。체스도 있습니다。"
    pattern = phrase_pattern(["사워도우 스타터"])
    assert without_sentences_quoting(text, pattern) == "빵 굽기가 가장 많습니다。체스도 있습니다。"
