"""``DELETE /v1/me``: remove every trace of the user, as a task (202 with its id)."""

from __future__ import annotations

from aiohttp import web

from graphnode.api.bodies import Accepted
from graphnode.api.services.deletion import DeletionNotQueuedError
from graphnode.api.state import API
from graphnode.api.views.common import json_response, service_unavailable


async def delete_me(request: web.Request) -> web.Response:
    api = request.app[API]
    user = api.user_of(request)
    try:
        task_id = await api.deletion.request(user)
    except DeletionNotQueuedError as exc:
        raise service_unavailable("The deletion service", exc) from None
    return json_response(Accepted(task_id=task_id), status=202)
