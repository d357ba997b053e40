"""The graph viewer: one static page (``index.html``, ``viewer.js``, ``viewer.css``).

The API serves ``index.html`` at ``GET /`` and this folder's files under ``/viewer/``.
The page is self-contained: no external requests, no third-party code. It reads a bearer
token from ``#token=...`` (kept in ``sessionStorage``), calls ``GET /v1/graphs/me`` and
``GET /v1/graphs/me/summary`` on the same origin and draws the graph on a ``<canvas>``.

It reports what it is doing on ``document.body.dataset.state``: ``loading``, ``auth``
(token form), ``progress`` (graph being built; it polls), ``empty``, ``error`` or
``ready`` (after the first full draw), for tests and for people debugging it.
"""

from __future__ import annotations

from pathlib import Path

VIEWER_DIR: Path = Path(__file__).resolve().parent
"""The folder holding the page's static files."""

INDEX_HTML: Path = VIEWER_DIR / "index.html"
"""The page itself, served at ``GET /``."""

__all__ = ["INDEX_HTML", "VIEWER_DIR"]
