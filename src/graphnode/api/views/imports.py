"""``POST /v1/imports``: add an export's conversations to the user's stored history."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.services.dispatch import DispatchError
from graphnode.api.services.generation import GenerationRunningError, NothingToGenerateError
from graphnode.api.services.importing import (
    ImportedDocuments,
    ImportRejectedError,
    ImportSummary,
    import_files,
)
from graphnode.api.services.uploads import receive_upload
from graphnode.api.state import API, PARSE_POOL, Api
from graphnode.api.views.common import json_response, service_unavailable
from graphnode.storage.conversation_store import ItemTooLargeError


async def _import_upload(
    request: web.Request, api: Api, user: str, outcome: str
) -> tuple[ImportSummary, ImportedDocuments]:
    """Stream the upload in, parse every file, store the conversations (or nothing)."""
    settings = api.settings
    async with receive_upload(
        request, settings.max_upload_bytes, settings.body_idle_seconds
    ) as files:
        try:
            pool = request.app[PARSE_POOL]
            return await import_files(api.conversations, user, files, pool)
        except ImportRejectedError as exc:
            raise Problem(422, f"{outcome}: {exc}") from None
        except ItemTooLargeError as exc:
            raise Problem(413, f"{outcome}: {exc}.") from None


async def create_import(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    summary, _ = await _import_upload(request, api, user, "Nothing was imported")
    status = 201 if summary.new or summary.updated else 200
    return json_response(summary.to_json(), status=status)


async def add_nodes(request: web.Request) -> web.Response:
    """``POST /v1/graphs/me/nodes``: import conversations and place them into the existing
    graph without rebuilding it."""
    api = request.app[API]
    user = api.user_of(request)
    try:
        # Refused before the upload is stored: a 409 must not keep half of what it refused.
        await api.generation.check_can_add_nodes(user)
        summary, documents = await _import_upload(request, api, user, "Nothing was added")
        task_id = await api.generation.add_nodes(user, documents)
    except NothingToGenerateError as exc:
        raise Problem(409, f"{exc}.") from None
    except GenerationRunningError as exc:
        raise Problem(
            409,
            "Your graph is being built or updated; try again when task "
            f"{exc.task_id} has finished.",
            taskId=exc.task_id,
        ) from None
    except DispatchError as exc:
        raise service_unavailable("The graph service", exc) from None
    return json_response(
        {"taskId": task_id, "status": "PENDING", "import": summary.to_json()}, status=202
    )
