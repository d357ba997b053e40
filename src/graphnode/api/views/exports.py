"""``GET /v1/graphs/me/export?format=``: the user's graph for other tools, streamed.

Everything that can refuse the request (the token, the format, a missing graph) or fail on
the stored graph (building the GraphML or GEXF) happens before the response starts, so it
is still a problem document; once bytes flow, only the connection can end the export.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Iterable

import orjson
from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.state import API, Api
from graphnode.export.formats import ExportFormat
from graphnode.export.network import chunks, gexf_text, graphml_text, to_networkx
from graphnode.export.obsidian import obsidian_chunks
from graphnode.storage.graph_export import GraphExportReader, StoredGraph

log = logging.getLogger("graphnode.api")

DEFAULT_FORMAT = ExportFormat.JSON


def _format(request: web.Request) -> ExportFormat:
    text = request.query.get("format", DEFAULT_FORMAT.value)
    try:
        return ExportFormat(text)
    except ValueError:
        raise Problem(
            400,
            f"Unknown export format {text[:40]!r}: use one of {ExportFormat.allowed()}.",
            allowed=[member.value for member in ExportFormat],
        ) from None


async def _each(parts: Iterable[bytes]) -> AsyncGenerator[bytes, None]:
    for part in parts:
        yield part


async def _body(
    api: Api, user: str, fmt: ExportFormat, stored: StoredGraph
) -> AsyncGenerator[bytes, None]:
    """The export's bytes: made whole for the graph files (networkx's writers make a whole
    document; it holds the graph, not the texts), item by item for the vault."""
    if fmt is ExportFormat.OBSIDIAN:
        return obsidian_chunks(stored, api.conversations.stream(user))
    if fmt is ExportFormat.JSON:
        return _each(chunks(orjson.dumps({"graph": stored.graph, "summary": stored.summary})))
    facts = await GraphExportReader(api.database, api.graphs, api.snapshots).item_facts(user)
    write = graphml_text if fmt is ExportFormat.GRAPHML else gexf_text
    # Thousands of nodes take a while to lay out as XML: off the event loop.
    text = await asyncio.to_thread(lambda: write(to_networkx(stored.graph, facts)))
    return _each(chunks(text))


async def export_graph(request: web.Request) -> web.StreamResponse:
    api = request.app[API]
    user = api.user_of(request)
    fmt = _format(request)
    stored = await GraphExportReader(api.database, api.graphs, api.snapshots).current(user)
    if stored is None:
        raise Problem(404, "No graph yet: generate it with POST /v1/graphs/generate first.")
    body = await _body(api, user, fmt, stored)
    response = web.StreamResponse(
        headers={
            "Content-Type": fmt.media_type,
            "Content-Disposition": f'attachment; filename="{fmt.filename}"',
            "Cache-Control": "no-store",
        }
    )
    try:
        await response.prepare(request)
        async for chunk in body:
            if chunk:
                await response.write(chunk)
        await response.write_eof()
    except ConnectionResetError:
        # The client hung up part way: normal, not an error.
        log.debug("export closed by the client", extra={"format": fmt.value})
    except Exception:
        # Too late for a problem document: drop the connection, so the client sees a
        # broken transfer rather than a complete-looking but truncated file.
        log.exception("export failed part way", extra={"format": fmt.value})
        if request.transport is not None:
            request.transport.close()
    finally:
        # A client gone half way must not leave the item cursor open until collected.
        await body.aclose()
    return response
