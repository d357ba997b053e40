"""The internal routes answer the API only: a shared bearer token, or loopback callers when
no token is configured (a development machine)."""

from __future__ import annotations

import hmac
import ipaddress

from aiohttp import web

from graphnode.ai.service.state import SETTINGS


def _is_loopback(remote: str | None) -> bool:
    try:
        return remote is not None and ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def require_internal_caller(request: web.Request) -> None:
    token = request.app[SETTINGS].ai_token
    if token is None:
        if not _is_loopback(request.remote):
            raise web.HTTPForbidden(
                text="internal route: set GRAPHNODE_AI_TOKEN to call it remotely"
            )
        return
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise web.HTTPUnauthorized(text="internal route: missing or wrong bearer token")
