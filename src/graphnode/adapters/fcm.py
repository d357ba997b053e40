"""Firebase Cloud Messaging: the worker's "graph ready" push, through firebase-admin.

One :class:`FcmNotifier` owns one named firebase-admin ``App`` for its lifetime
(``async with FcmNotifier(...)`` or ``open()``/``close()``: the adapters' :class:`Resource`
idiom). ``send_multicast`` sends one notification to many registration tokens, 500 at a time
(FCM's multicast limit), and reports which tokens FCM condemned so the caller can delete them
from storage.

Two ways to run it:

- production: ``credentials_path`` names a service-account JSON file; firebase-admin's own
  ``credentials.Certificate`` fetches OAuth access tokens from Google as usual;
- development and tests: ``endpoint`` names a local server that speaks FCM HTTP v1 (no FCM
  emulator exists). Without a credentials file the notifier then presents a fixed bearer
  token and never touches the network for it. Redirecting firebase-admin needs its private
  internals; those are kept to :mod:`graphnode.adapters.fcm_internals`.

Failure policy: a per-token failure is reported in the returned :class:`MulticastOutcome`;
when nothing at all was delivered and FCM said nothing about any token (bad credentials,
FCM unavailable after firebase-admin's own retries, a payload FCM refuses) the call raises
:class:`PushError`. Callers catch it: a push never fails the work that triggered it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse
import uuid
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import firebase_admin
import google.auth.credentials
import google.auth.exceptions
import google.auth.transport.requests
from firebase_admin import credentials, exceptions, messaging

from graphnode.adapters.fcm_internals import FCM_PRODUCTION_ENDPOINT, MessagingInternals
from graphnode.adapters.lifecycle import Resource

logger = logging.getLogger("graphnode.fcm")

# FCM (and firebase-admin, which raises ValueError above it) caps a multicast at 500 tokens.
MULTICAST_LIMIT = 500
# firebase-admin's default is 120 s per request; a notification is not worth that long a wait.
DEFAULT_HTTP_TIMEOUT_S = 30.0
# The bearer token presented to a local FCM-v1 server when no credentials file is given.
LOCAL_ACCESS_TOKEN = "graphnode-local-fcm"

_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
# firebase-admin maps these FcmError codes to their own exception types; both condemn the token.
_CONDEMNED_TOKEN_ERRORS = (messaging.UnregisteredError, messaging.SenderIdMismatchError)


class PushError(Exception):
    """The push as a whole failed: nothing was delivered and no token was judged by FCM."""

    def __init__(self, message: str, errors: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True, slots=True)
class MulticastOutcome:
    """What FCM said about one multicast.

    ``invalid_tokens``: tokens FCM reported unregistered, malformed or registered to another
    sender; delete them from storage. ``errors``: readable reasons for every other failure
    (tokens abbreviated); those tokens may work next time.
    """

    success_count: int = 0
    failure_count: int = 0
    invalid_tokens: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


class _StaticAccessToken(google.auth.credentials.Credentials):
    """A google-auth credential whose token never expires and whose refresh is offline."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._static_token = token
        self.token = token

    def refresh(self, request: google.auth.transport.Request) -> None:
        # firebase-admin refreshes after a 401; re-presenting the same token lets that 401
        # surface as UNAUTHENTICATED instead of a refresh failure.
        self.token = self._static_token


class _StaticAccessTokenCredential(credentials.Base):
    """firebase-admin's credential interface over :class:`_StaticAccessToken`."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._google_credential = _StaticAccessToken(token)

    def get_credential(self) -> google.auth.credentials.Credentials:
        return self._google_credential


@dataclass
class _Tally:
    success_count: int = 0
    invalid_tokens: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def record(self, token: str, response: messaging.SendResponse) -> None:
        if response.success:
            self.success_count += 1
        elif response.exception is None:
            self.errors.append(f"{_abbreviate(token)}: FCM answered without a message id")
        else:
            self.record_error(token, response.exception)

    def record_error(self, token: str, error: exceptions.FirebaseError) -> None:
        if _condemns_token(error):
            self.invalid_tokens.append(token)
        else:
            self.errors.append(f"{_abbreviate(token)}: {error.code}: {error}")

    def outcome(self) -> MulticastOutcome:
        return MulticastOutcome(
            success_count=self.success_count,
            failure_count=len(self.invalid_tokens) + len(self.errors),
            invalid_tokens=tuple(self.invalid_tokens),
            errors=tuple(self.errors),
        )


def _abbreviate(token: str) -> str:
    # Registration tokens address a person's device: keep them out of logs and messages.
    return f"{token[:8]}...({len(token)} chars)"


def _fcm_error_code(error: exceptions.FirebaseError) -> str | None:
    """The ``errorCode`` of the FcmError detail in an FCM error response, if there is one."""
    response = error.http_response
    if response is None:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    error_body = body.get("error") if isinstance(body, dict) else None
    details = error_body.get("details") if isinstance(error_body, dict) else None
    for detail in details if isinstance(details, list) else ():
        if isinstance(detail, dict) and detail.get("@type") == _FCM_ERROR_TYPE:
            code = detail.get("errorCode")
            return code if isinstance(code, str) else None
    return None


def _condemns_token(error: exceptions.FirebaseError) -> bool:
    if isinstance(error, _CONDEMNED_TOKEN_ERRORS):
        return True
    # INVALID_ARGUMENT means either a malformed token or a malformed payload. FCM tells them
    # apart by the detail: an FcmError for the token, a google.rpc.BadRequest for a field of
    # the payload. Only the first may cost a user their token.
    return isinstance(error, exceptions.InvalidArgumentError) and (
        _fcm_error_code(error) == "INVALID_ARGUMENT"
    )


def _refresh(google_credential: google.auth.credentials.Credentials) -> None:
    google_credential.refresh(google.auth.transport.requests.Request())


def _normalise_endpoint(endpoint: str | None) -> str | None:
    """The override base URL, or None when ``endpoint`` is unset or is FCM itself."""
    if endpoint is None:
        return None
    base = endpoint.rstrip("/")
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise ValueError(
            f"FCM endpoint must be a base URL like http://127.0.0.1:8080: {endpoint!r}"
        )
    return None if base == FCM_PRODUCTION_ENDPOINT else base


def _multicast_message(
    tokens: list[str], title: str, body: str, data: dict[str, str]
) -> messaging.MulticastMessage:
    with warnings.catch_warnings():
        # firebase-admin 7.7 deprecates ``tokens`` in favour of Firebase installation IDs.
        # Our clients register FCM registration tokens, which FCM v1 still accepts as
        # ``message.token``; an FID is a different identifier, so ``fids`` is not a rename.
        warnings.filterwarnings(
            "ignore", message="MulticastMessage.tokens is deprecated", category=DeprecationWarning
        )
        return messaging.MulticastMessage(
            tokens=tokens, notification=messaging.Notification(title=title, body=body), data=data
        )


# The project a local FCM-v1 server is addressed as when no credentials name one.
LOCAL_PROJECT_ID = "graphnode-local"


class FcmNotifier(Resource):
    """Sends push notifications through FCM HTTP v1 (``messaging.send_each_for_multicast_async``).

    ``credentials_path``: a Firebase service-account JSON file (production).
    ``endpoint``: base URL of a local FCM-v1 server (``http://127.0.0.1:PORT``); the production
    URL, or None, means FCM itself. ``project_id``: the Firebase project; defaults to the one in
    the credentials file, or ``LOCAL_PROJECT_ID`` for a local ``endpoint`` without one.
    ``local_access_token``: the bearer token presented to ``endpoint`` when there is no
    credentials file.
    """

    def __init__(
        self,
        *,
        credentials_path: str | None = None,
        endpoint: str | None = None,
        project_id: str | None = None,
        http_timeout_s: float = DEFAULT_HTTP_TIMEOUT_S,
        local_access_token: str = LOCAL_ACCESS_TOKEN,
    ) -> None:
        super().__init__()
        self._endpoint = _normalise_endpoint(endpoint)
        if credentials_path is None and self._endpoint is None:
            raise ValueError("FcmNotifier needs a credentials file, or a local FCM-v1 endpoint")
        if credentials_path is None and not project_id:
            # A local FCM-v1 server serves any project: name one rather than refuse to start.
            project_id = LOCAL_PROJECT_ID
        if not local_access_token:
            raise ValueError("local_access_token must not be empty")
        self._credentials_path = credentials_path
        self._project_id = project_id
        self._http_timeout_s = http_timeout_s
        self._local_access_token = local_access_token
        self._app: firebase_admin.App | None = None
        self._refresh_lock = asyncio.Lock()

    @property
    def app_name(self) -> str | None:
        """The name of this notifier's firebase-admin App while open (unique per instance)."""
        return None if self._app is None else self._app.name

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        # Reading the key file and building firebase-admin's HTTP clients block: off the loop.
        app = await asyncio.to_thread(self._initialize_app)
        stack.push_async_callback(self._delete_app, app)
        internals = await asyncio.to_thread(MessagingInternals, app)
        # Registered after the App, so it runs before delete_app: firebase-admin's own close()
        # runs ``asyncio.run(aclose())``, which cannot run inside our loop; the httpx client is
        # closed here, on the loop that used it, and delete_app then finds it closed.
        stack.push_async_callback(internals.aclose)
        if self._endpoint is not None:
            internals.redirect(self._endpoint, app.project_id)
        self._app = app
        logger.info(
            "fcm notifier open",
            extra={
                "fcmApp": app.name,
                "project": app.project_id,
                "endpoint": self._endpoint or FCM_PRODUCTION_ENDPOINT,
            },
        )

    def _initialize_app(self) -> firebase_admin.App:
        credential: credentials.Base
        if self._credentials_path is not None:
            credential = credentials.Certificate(self._credentials_path)
        else:
            credential = _StaticAccessTokenCredential(self._local_access_token)
        options: dict[str, Any] = {"httpTimeout": self._http_timeout_s}
        if self._project_id:
            options["projectId"] = self._project_id
        return firebase_admin.initialize_app(
            credential, options, name=f"graphnode-fcm-{uuid.uuid4().hex}"
        )

    async def _delete_app(self, app: firebase_admin.App) -> None:
        self._app = None
        try:
            await asyncio.to_thread(firebase_admin.delete_app, app)
        except Exception:
            # delete_app unregisters the App before cleaning its services up, so a failing
            # cleanup (a firebase-admin whose internals moved) only leaks; it must not hide
            # the error that made open() fail.
            logger.warning("fcm app cleanup failed", extra={"fcmApp": app.name}, exc_info=True)
            return
        logger.info("fcm notifier closed", extra={"fcmApp": app.name})

    async def send_multicast(
        self, tokens: Sequence[str], *, title: str, body: str, data: Mapping[str, str]
    ) -> MulticastOutcome:
        """Send one notification to every token; repeated and empty tokens are sent once/never.

        Raises :class:`PushError` when nothing was delivered and no token was judged, and
        ValueError when firebase-admin refuses the payload (non-string data, for example).
        """
        app = self._open_app()
        if isinstance(tokens, str):
            raise TypeError("tokens must be a sequence of registration tokens, not one string")
        unique_tokens = list(dict.fromkeys(token for token in tokens if token))
        if not unique_tokens:
            return MulticastOutcome()
        await self._ensure_access_token()
        tally = _Tally()
        for start in range(0, len(unique_tokens), MULTICAST_LIMIT):
            chunk = unique_tokens[start : start + MULTICAST_LIMIT]
            await self._send_chunk(app, _multicast_message(chunk, title, body, dict(data)), tally)
        outcome = tally.outcome()
        self._log_outcome(len(unique_tokens), outcome)
        if outcome.success_count == 0 and not outcome.invalid_tokens:
            raise PushError(
                f"FCM delivered none of {len(unique_tokens)} pushes: {outcome.errors[0]}",
                outcome.errors,
            )
        return outcome

    def _open_app(self) -> firebase_admin.App:
        self._require_open()
        assert self._app is not None
        return self._app

    async def _ensure_access_token(self) -> None:
        """Fetch an expired OAuth token in a thread; firebase-admin would block the loop."""
        app = self._open_app()
        google_credential = app.credential.get_credential()
        if google_credential.valid:
            return
        async with self._refresh_lock:
            if google_credential.valid:
                return
            try:
                await asyncio.to_thread(_refresh, google_credential)
            except google.auth.exceptions.GoogleAuthError as error:
                raise PushError(f"could not obtain an FCM access token: {error}") from error

    async def _send_chunk(
        self, app: firebase_admin.App, message: messaging.MulticastMessage, tally: _Tally
    ) -> None:
        tokens: list[str] = message.tokens
        try:
            batch = await messaging.send_each_for_multicast_async(message, app=app)
        except exceptions.FirebaseError as error:
            # send_each_async reports HTTP failures per token; it raises only for the
            # unexpected (UnknownError), which then counts against every token of the chunk.
            for token in tokens:
                tally.record_error(token, error)
            return
        for token, response in zip(tokens, batch.responses, strict=True):
            tally.record(token, response)

    def _log_outcome(self, token_count: int, outcome: MulticastOutcome) -> None:
        level = logging.INFO if outcome.success_count else logging.WARNING
        logger.log(
            level,
            "fcm multicast: %d of %d delivered",
            outcome.success_count,
            token_count,
            extra={
                "tokenCount": token_count,
                "chunkCount": -(-token_count // MULTICAST_LIMIT),
                "successCount": outcome.success_count,
                "failureCount": outcome.failure_count,
                "invalidTokenCount": len(outcome.invalid_tokens),
                "errors": list(outcome.errors[:5]),
            },
        )
