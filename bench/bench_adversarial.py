"""Is every parser and cleaner pattern linear on hostile text?

    PYTHONPATH=. .venv/bin/python bench/bench_adversarial.py

For each construct that once made a pattern backtrack (runs of ``#``, ``-``, ``*``, spaces,
backticks, ``$``, ``[``, ``<``; unclosed fences, comments, tags, links), the markdown parser
and ``clean_text`` read it at 64 KB and at 256 KB. Reported: the ratio of the two times, whose
baseline is 4 (linear work on four times the text); a quadratic pattern shows 16. Writes
bench/results/adversarial.json.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from graphnode.ai.clean import clean_text
from graphnode.ingest.parse.markdown import parse_markdown

SMALL = 64 * 1024
SCALE = 4
LINEAR_RATIO = float(SCALE)
CONSTRUCTS = {
    "hashes": "#",
    "dashes": "-",
    "stars": "*",
    "spaces": " ",
    "newlines": "\n",
    "backticks": "`",
    "dollars": "$",
    "brackets": "[",
    "angles": "<",
    "heading with spaces": "# a    b",
    "unclosed fences": "```\n",
    "unclosed comments": "<!--",
    "script tags without '>'": "<script ",
    "link openers": "[x](",
    "dollar words": "$a ",
}
RESULTS = Path(__file__).resolve().parent / "results" / "adversarial.json"


def _seconds(run, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        run(text)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    runs = {
        "clean_text": clean_text,
        "parse_markdown": lambda text: parse_markdown(text, "hostile.md", Counter()),
    }
    rows = []
    for name, unit in CONSTRUCTS.items():
        for stage, run in runs.items():
            small = unit * (SMALL // len(unit))
            large = unit * (SCALE * SMALL // len(unit))
            seconds_small, seconds_large = _seconds(run, small), _seconds(run, large)
            ratio = seconds_large / max(seconds_small, 1e-9)
            rows.append(
                {
                    "construct": name,
                    "stage": stage,
                    "seconds_256kb": round(seconds_large, 5),
                    "ratio_to_64kb": round(ratio, 2),
                    "ratio_to_linear": round(ratio / LINEAR_RATIO, 2),
                }
            )
            print(f"{stage:15} {name:26} x{ratio:5.1f} (linear: x{LINEAR_RATIO:.0f})")
    worst = max(row["ratio_to_linear"] for row in rows)
    print(f"worst ratio to linear: {worst:.2f} (quadratic would be {SCALE:.0f})")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rows": rows, "worst_ratio_to_linear": worst}, indent=2))


if __name__ == "__main__":
    main()
