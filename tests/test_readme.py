"""The README tells the truth about what it can be checked against: every package in its
layout table, every route in its routes table, every file it names present, every import
format it promises parsed. (Its settings table is generated: tests/test_settings.py.)"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

from graphnode.api.routes import setup_routes
from graphnode.ingest.parse.dispatch import format_names

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
ROWS = [line for line in README.splitlines() if line.startswith("| `")]

# Served, but for machines (probes, the fuzzer, the viewer's own assets): not in the table.
UNLISTED_ROUTES = {"/healthz", "/readyz", "/openapi.json", "/viewer/{name}"}
# Cited as what a run or a build writes, not as files of the repository.
WRITTEN_BY_RUNS = ("bench/results/", "build/", "tests/artifacts/")


def test_the_layout_table_names_every_package() -> None:
    layout = "\n".join(row.split("|")[1] for row in ROWS)
    for package in sorted((ROOT / "src" / "graphnode").iterdir()):
        if not (package / "__init__.py").exists():
            continue
        name = package.name
        assert f"src/graphnode/{name}/" in layout or f"`{name}/`" in layout, name


def test_the_routes_table_names_every_route() -> None:
    app = web.Application()
    setup_routes(app)
    for route in app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method == "HEAD" or path in UNLISTED_ROUTES:
            continue
        # The table writes every parameter as {id}; a sub-route may share its parent's row.
        written = re.sub(r"\{[^}]+\}", "{id}", path)
        parent, _, last = written.rpartition("/")
        rows = [
            row
            for row in ROWS
            if re.search(re.escape(written) + "[`?]", row)
            or (f"{parent}`" in row and f"/{last}" in row)
        ]
        assert any(route.method in row.split("|")[1] for row in rows), (route.method, written)


def test_every_file_the_readme_names_exists() -> None:
    cited = set(
        re.findall(r"`((?:src|tests|bench|samples|docs|localstack|scripts)/[^`\s]*)`", README)
    )
    assert cited
    for path in sorted(cited):
        if path.startswith(WRITTEN_BY_RUNS) or "*" in path or "{" in path:
            continue
        assert (ROOT / path.rstrip("/")).exists(), path


def test_every_export_format_the_readme_promises_is_parsed() -> None:
    promised = {"ChatGPT": "chatgpt", "Claude": "claude", "Gemini": "gemini"}
    for word, parser in promised.items():
        if word in README:
            assert parser in format_names(), f"the README promises {word} exports"
