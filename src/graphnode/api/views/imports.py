"""``POST /v1/imports``: add an export's conversations to the user's stored history."""

from __future__ import annotations

import dataclasses

from aiohttp import web

from graphnode.api.problems import Problem
from graphnode.api.services.importing import ImportRejectedError, import_files
from graphnode.api.services.uploads import receive_upload
from graphnode.api.state import API
from graphnode.api.views.common import json_response


async def create_import(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    async with receive_upload(request, api.settings.max_upload_bytes) as files:
        try:
            summary = await import_files(api.conversations, user, files)
        except ImportRejectedError as exc:
            raise Problem(422, f"Nothing was imported: {exc}") from None
    status = 201 if summary.new or summary.updated else 200
    return json_response(dataclasses.asdict(summary), status=status)
