"""The one place graphnode relies on firebase-admin's private messaging internals.

firebase-admin has no public way to (a) point ``messages:send`` at another host, which a
local FCM-v1 server for development and tests needs, nor (b) close its async HTTP client on
the event loop that used it (its own ``_MessagingService.close()`` runs ``asyncio.run``, which
cannot run inside a running loop). Both need three private names of ``firebase_admin.messaging``:

- ``_get_messaging_service(app)``: the App's ``_MessagingService`` instance;
- ``_MessagingService._fcm_url``: the send URL, formatted from ``FCM_URL`` in ``__init__`` and
  read on every send (sync and async);
- ``_MessagingService._async_client``: the ``HttpxAsyncClient`` behind the ``*_async`` sends,
  with a coroutine ``aclose()``.

They were read in firebase-admin 7.x, the range pyproject.toml pins (``TESTED_RANGE``).
:class:`MessagingInternals` checks all three when it is built and raises
:class:`FirebaseAdminChangedError`, naming the installed version, if one has moved;
tests/test_fcm_internals.py checks them on the installed classes, so an upgrade that moves them
fails there first.
"""

from __future__ import annotations

import inspect
import urllib.parse
from typing import Any

import firebase_admin
from firebase_admin import messaging

# The firebase-admin releases the private names below were read in and tested against; keep
# in step with the firebase-admin pin in pyproject.toml (a test compares the two).
TESTED_RANGE = ">=7.0,<8"
FCM_PRODUCTION_ENDPOINT = "https://fcm.googleapis.com"


class FirebaseAdminChangedError(RuntimeError):
    """The installed firebase-admin lacks a private internal graphnode relies on."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"firebase-admin {firebase_admin.__version__} (tested: {TESTED_RANGE}) {what}; "
            "update graphnode.adapters.fcm_internals for this version"
        )


class MessagingInternals:
    """One App's ``_MessagingService``, reached through the private names it relies on.

    Built (and checked) once per App; creating the service on the way means that a missing
    project id fails here, with firebase-admin's own ValueError, rather than on the first send.
    """

    def __init__(self, app: firebase_admin.App) -> None:
        get_service = getattr(messaging, "_get_messaging_service", None)
        if not callable(get_service):
            raise FirebaseAdminChangedError("has no messaging._get_messaging_service(app)")
        service = get_service(app)
        url = getattr(service, "_fcm_url", None)
        if not isinstance(url, str) or not url.startswith(f"{FCM_PRODUCTION_ENDPOINT}/v1/"):
            raise FirebaseAdminChangedError(
                "no longer keeps the FCM send URL in _MessagingService._fcm_url"
            )
        client = getattr(service, "_async_client", None)
        if not inspect.iscoroutinefunction(getattr(client, "aclose", None)):
            raise FirebaseAdminChangedError(
                "no longer keeps an async HTTP client with aclose() in "
                "_MessagingService._async_client"
            )
        self._service: Any = service
        self._client: Any = client

    @property
    def send_url(self) -> str:
        url: str = self._service._fcm_url
        return url

    def redirect(self, endpoint: str, project_id: str) -> None:
        """Send this App's messages to ``endpoint`` (a base URL) instead of FCM.

        Only this App's own service instance changes, and only its send URL: auth, retries and
        error mapping stay firebase-admin's, and other Apps still reach FCM.
        """
        quoted_project = urllib.parse.quote(project_id, safe="")
        self._service._fcm_url = f"{endpoint}/v1/projects/{quoted_project}/messages:send"

    async def aclose(self) -> None:
        """Close the async HTTP client on the running loop; closing twice is harmless."""
        await self._client.aclose()
