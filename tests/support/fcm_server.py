"""A local HTTP server that speaks FCM HTTP v1's ``messages:send``, for tests.

No FCM emulator exists, so this is the one stand-in the project allows
(docs/local-infrastructure.md).
It answers the way the real service does, as documented at
https://firebase.google.com/docs/cloud-messaging/error-codes and
https://firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode:

- success: ``200 {"name": "projects/{project}/messages/{id}"}``;
- missing or wrong OAuth bearer: ``401`` with status ``UNAUTHENTICATED``;
- a malformed request: ``400 INVALID_ARGUMENT`` with a ``google.rpc.BadRequest`` detail;
- a token marked unregistered: ``404 NOT_FOUND`` + FcmError ``UNREGISTERED``;
- a token marked invalid: ``400 INVALID_ARGUMENT`` + FcmError ``INVALID_ARGUMENT``;
- a token marked for another sender: ``403 PERMISSION_DENIED`` + FcmError ``SENDER_ID_MISMATCH``;
- while told to be unavailable: ``503 UNAVAILABLE`` for everything.

Every message that passes authentication and validation is recorded in ``received`` (those
answered 200 also in ``delivered``), so tests can assert on what was pushed.
"""

from __future__ import annotations

import enum
import itertools
import json
from typing import Any

from aiohttp import web

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
BAD_REQUEST_TYPE = "type.googleapis.com/google.rpc.BadRequest"
# The v1 Message resource's "target" oneof (``token`` is deprecated in favour of ``fid`` but
# still accepted; firebase-admin sends it for registration tokens).
TARGET_FIELDS = ("token", "topic", "condition", "fid")
# Data keys FCM reserves for itself and rejects in a payload.
RESERVED_DATA_KEYS = frozenset({"from", "message_type"})
RESERVED_DATA_KEY_PREFIXES = ("google", "gcm")

_MISSING_CREDENTIAL = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
_INVALID_CREDENTIAL = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. "
    "See https://developers.google.com/identity/sign-in/web/devconsole-project."
)


class TokenFault(enum.Enum):
    """How the server answers a message addressed to a marked registration token."""

    UNREGISTERED = (404, "NOT_FOUND", "Requested entity was not found.")
    INVALID_ARGUMENT = (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    )
    SENDER_ID_MISMATCH = (403, "PERMISSION_DENIED", "SenderId mismatch")

    def __init__(self, http_status: int, rpc_status: str, text: str) -> None:
        self.http_status = http_status
        self.rpc_status = rpc_status
        self.text = text


def error_response(
    http_status: int, rpc_status: str, message: str, details: list[dict[str, Any]] | None = None
) -> web.Response:
    """A Google API error body, the shape every FCM v1 error has."""
    error: dict[str, Any] = {"code": http_status, "message": message, "status": rpc_status}
    if details:
        error["details"] = details
    return web.json_response({"error": error}, status=http_status)


def _bad_request(field_name: str, description: str) -> web.Response:
    violation = {"field": field_name, "description": description}
    return error_response(
        400,
        "INVALID_ARGUMENT",
        description,
        [{"@type": BAD_REQUEST_TYPE, "fieldViolations": [violation]}],
    )


def _token_fault_response(fault: TokenFault) -> web.Response:
    detail = {"@type": FCM_ERROR_TYPE, "errorCode": fault.name}
    return error_response(fault.http_status, fault.rpc_status, fault.text, [detail])


def _validate_message(message: Any) -> web.Response | None:
    """The 400 response a malformed ``message`` earns, or None when it is well formed."""
    if not isinstance(message, dict):
        return _bad_request("message", "Invalid value at 'message': expected an object.")
    targets = [name for name in TARGET_FIELDS if name in message]
    if not targets:
        return _bad_request("message", "Recipient of the message is not set.")
    if len(targets) > 1:
        return _bad_request(
            f"message.{targets[1]}",
            f"Invalid value at 'message' (oneof), oneof field 'target' is already set. "
            f"Cannot set '{targets[1]}'",
        )
    if not isinstance(message[targets[0]], str) or not message[targets[0]]:
        return _bad_request(f"message.{targets[0]}", f"Invalid value at 'message.{targets[0]}'.")
    return _validate_data(message.get("data", {}))


def _validate_data(data: Any) -> web.Response | None:
    if not isinstance(data, dict):
        return _bad_request("message.data", "Invalid value at 'message.data': expected a map.")
    for index, (key, value) in enumerate(data.items()):
        if not isinstance(value, str):
            return _bad_request(
                f"message.data[{index}].value",
                f"Invalid value at 'message.data[{index}].value' (TYPE_STRING), {value}",
            )
        if key in RESERVED_DATA_KEYS or key.startswith(RESERVED_DATA_KEY_PREFIXES):
            return _bad_request("message.data", f"Invalid data payload key: {key}")
    return None


class FcmTestServer:
    """``POST /v1/projects/{project}/messages:send`` on 127.0.0.1, on a free port.

    ``access_token``: the bearer token to require; None accepts any non-empty one.
    """

    def __init__(self, access_token: str | None = None) -> None:
        self.access_token = access_token
        self.received: list[dict[str, Any]] = []
        self.delivered: list[dict[str, Any]] = []
        self.request_count = 0
        self._faults: dict[str, TokenFault] = {}
        self._unavailable_left = 0
        self._unavailable_forever = False
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FcmTestServer is not started")
        return f"http://127.0.0.1:{self._port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/projects/{project}/messages:send", self._send)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._port = None

    def reset(self) -> None:
        """Forget every message, marked token and outage; keep the port and the token."""
        self.received.clear()
        self.delivered.clear()
        self.request_count = 0
        self._faults.clear()
        self._unavailable_left = 0
        self._unavailable_forever = False

    def mark_unregistered(self, *tokens: str) -> None:
        self._faults.update(dict.fromkeys(tokens, TokenFault.UNREGISTERED))

    def mark_invalid(self, *tokens: str) -> None:
        self._faults.update(dict.fromkeys(tokens, TokenFault.INVALID_ARGUMENT))

    def mark_sender_id_mismatch(self, *tokens: str) -> None:
        self._faults.update(dict.fromkeys(tokens, TokenFault.SENDER_ID_MISMATCH))

    def set_unavailable(self, responses: int | None = None) -> None:
        """Answer 503 to the next ``responses`` requests, or to every request when None."""
        self._unavailable_forever = responses is None
        self._unavailable_left = responses or 0

    def delivered_tokens(self) -> list[str]:
        return [message["token"] for message in self.delivered if "token" in message]

    def _take_unavailable(self) -> bool:
        if self._unavailable_forever:
            return True
        if self._unavailable_left > 0:
            self._unavailable_left -= 1
            return True
        return False

    def _check_auth(self, request: web.Request) -> web.Response | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return error_response(401, "UNAUTHENTICATED", _MISSING_CREDENTIAL)
        if self.access_token is not None and token.strip() != self.access_token:
            return error_response(401, "UNAUTHENTICATED", _INVALID_CREDENTIAL)
        return None

    async def _send(self, request: web.Request) -> web.Response:
        self.request_count += 1
        if self._take_unavailable():
            return error_response(503, "UNAVAILABLE", "The service is currently unavailable.")
        denied = self._check_auth(request)
        if denied is not None:
            return denied
        try:
            body = json.loads(await request.text())
        except ValueError:
            return error_response(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if not isinstance(body, dict):
            return error_response(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        message = body.get("message")
        invalid = _validate_message(message)
        if invalid is not None:
            return invalid
        self.received.append(message)
        fault = self._faults.get(message.get("token", ""))
        if fault is not None:
            return _token_fault_response(fault)
        if not body.get("validate_only", False):
            self.delivered.append(message)
        project = request.match_info["project"]
        return web.json_response({"name": f"projects/{project}/messages/{next(self._ids)}"})
