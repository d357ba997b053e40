"""FcmNotifier against a local FCM-HTTP-v1 server over a real socket.

firebase-admin does the HTTP; the server answers as FCM does (see tests/support/fcm_server.py).
"""

from __future__ import annotations

import json
import socket
import time

import aiohttp
import firebase_admin
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from firebase_admin import messaging

from graphnode.adapters import fcm
from graphnode.adapters.fcm import FcmNotifier, MulticastOutcome, PushError
from graphnode.adapters.fcm_internals import FirebaseAdminChangedError
from tests.support.fcm_server import FCM_ERROR_TYPE, FcmTestServer

PROJECT = "graphnode-test"
TITLE = "Your graph is ready"
BODY = "42 conversations, 5 clusters"
DATA = {"taskId": "task_12345", "type": "GRAPH_READY"}


@pytest.fixture
async def notifier(fcm_server):
    fcm_server.reset()
    async with FcmNotifier(endpoint=fcm_server.url, project_id=PROJECT) as opened:
        yield opened
    fcm_server.reset()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_multicast_reports_unregistered_and_invalid_tokens(notifier, fcm_server):
    fcm_server.mark_unregistered("token-stale")
    fcm_server.mark_invalid("token-garbled")

    outcome = await notifier.send_multicast(
        ["token-good", "token-stale", "token-garbled"], title=TITLE, body=BODY, data=DATA
    )

    assert outcome == MulticastOutcome(
        success_count=1,
        failure_count=2,
        invalid_tokens=("token-stale", "token-garbled"),
        errors=(),
    )
    assert fcm_server.delivered_tokens() == ["token-good"]
    assert len(fcm_server.received) == 3
    for message in fcm_server.received:
        assert message["notification"] == {"title": TITLE, "body": BODY}
        assert message["data"] == DATA


async def test_sender_id_mismatch_condemns_the_token(notifier, fcm_server):
    fcm_server.mark_sender_id_mismatch("token-other-sender")

    outcome = await notifier.send_multicast(
        ["token-other-sender", "token-good"], title=TITLE, body=BODY, data=DATA
    )

    assert outcome.invalid_tokens == ("token-other-sender",)
    assert outcome.success_count == 1


async def test_empty_token_list_sends_nothing(notifier, fcm_server):
    assert await notifier.send_multicast([], title=TITLE, body=BODY, data=DATA) == (
        MulticastOutcome()
    )
    assert await notifier.send_multicast(["", ""], title=TITLE, body=BODY, data=DATA) == (
        MulticastOutcome()
    )
    assert fcm_server.request_count == 0


async def test_repeated_tokens_are_pushed_once(notifier, fcm_server):
    outcome = await notifier.send_multicast(
        ["token-a", "token-b", "token-a"], title=TITLE, body=BODY, data=DATA
    )

    assert outcome.success_count == 2
    assert sorted(fcm_server.delivered_tokens()) == ["token-a", "token-b"]


async def test_more_than_500_tokens_go_out_in_chunks_of_500(notifier, fcm_server, monkeypatch):
    tokens = [f"token-{index:04d}" for index in range(1201)]
    fcm_server.mark_unregistered("token-1200")  # in the last chunk
    chunk_sizes: list[int] = []
    real_send = messaging.send_each_for_multicast_async

    async def counting_send(message, dry_run=False, app=None):
        chunk_sizes.append(len(message.tokens))
        return await real_send(message, dry_run=dry_run, app=app)

    monkeypatch.setattr(fcm.messaging, "send_each_for_multicast_async", counting_send)

    outcome = await notifier.send_multicast(tokens, title=TITLE, body=BODY, data=DATA)

    assert chunk_sizes == [500, 500, 201]
    assert outcome.success_count == 1200
    assert outcome.invalid_tokens == ("token-1200",)
    assert fcm_server.request_count == 1201
    assert sorted(fcm_server.delivered_tokens()) == tokens[:1200]


async def test_a_transient_503_is_retried_by_firebase_admin(notifier, fcm_server):
    fcm_server.set_unavailable(responses=1)

    outcome = await notifier.send_multicast(["token-good"], title=TITLE, body=BODY, data=DATA)

    assert outcome.success_count == 1
    assert fcm_server.request_count == 2  # the 503, then the retry


@pytest.mark.slow
async def test_fcm_unavailable_throughout_raises_push_error(notifier, fcm_server):
    # firebase-admin retries a 503 four times (backoff 0, 1, 2, 4 s) and then reports
    # UNAVAILABLE for every token; nothing delivered and no token judged: PushError.
    fcm_server.set_unavailable()

    with pytest.raises(PushError, match="UNAVAILABLE") as raised:
        await notifier.send_multicast(["token-a", "token-b"], title=TITLE, body=BODY, data=DATA)

    assert len(raised.value.errors) == 2
    assert fcm_server.delivered == []
    assert fcm_server.request_count == 2 * 5


async def test_a_payload_fcm_refuses_never_condemns_tokens(notifier, fcm_server):
    # A reserved data key draws INVALID_ARGUMENT with a google.rpc.BadRequest detail, not an
    # FcmError: the payload is at fault, so no token is condemned and the push as a whole fails.
    with pytest.raises(PushError, match="INVALID_ARGUMENT") as raised:
        await notifier.send_multicast(
            ["token-a", "token-b"], title=TITLE, body=BODY, data={"from": "graphnode"}
        )

    assert len(raised.value.errors) == 2
    assert fcm_server.received == []


async def test_wrong_access_token_is_a_clear_push_error():
    server = FcmTestServer(access_token="the-real-token")
    await server.start()
    try:
        async with FcmNotifier(endpoint=server.url, project_id=PROJECT) as wrong:
            with pytest.raises(PushError, match="UNAUTHENTICATED"):
                await wrong.send_multicast(["token-a"], title=TITLE, body=BODY, data=DATA)
        assert server.delivered == []

        async with FcmNotifier(
            endpoint=server.url, project_id=PROJECT, local_access_token="the-real-token"
        ) as right:
            outcome = await right.send_multicast(["token-a"], title=TITLE, body=BODY, data=DATA)
        assert outcome.success_count == 1
    finally:
        await server.stop()


async def test_server_answers_a_request_without_bearer_token_with_fcm_401(fcm_server):
    fcm_server.reset()
    url = f"{fcm_server.url}/v1/projects/{PROJECT}/messages:send"
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"message": {"token": "t"}}) as response:
            status, body = response.status, await response.json()
        async with session.post(
            url,
            json={"message": {"token": "t", "topic": "x"}},
            headers={"Authorization": "Bearer a"},
        ) as response:
            two_targets = response.status

    assert status == 401
    assert body["error"]["status"] == "UNAUTHENTICATED"
    assert body["error"]["code"] == 401
    assert two_targets == 400
    assert fcm_server.received == []


async def test_unregistered_answer_has_fcm_v1_error_shape(fcm_server):
    fcm_server.reset()
    fcm_server.mark_unregistered("token-stale")
    url = f"{fcm_server.url}/v1/projects/{PROJECT}/messages:send"
    async with (
        aiohttp.ClientSession(headers={"Authorization": "Bearer x"}) as session,
        session.post(url, json={"message": {"token": "token-stale"}}) as response,
    ):
        status, body = response.status, await response.json()
    fcm_server.reset()

    assert status == 404
    assert body == {
        "error": {
            "code": 404,
            "message": "Requested entity was not found.",
            "status": "NOT_FOUND",
            "details": [{"@type": FCM_ERROR_TYPE, "errorCode": "UNREGISTERED"}],
        }
    }


async def test_close_deletes_the_firebase_app(fcm_server):
    notifier = FcmNotifier(endpoint=fcm_server.url, project_id=PROJECT)
    await notifier.open()
    name = notifier.app_name
    assert firebase_admin.get_app(name).name == name

    await notifier.close()
    await notifier.close()  # twice is fine

    assert not notifier.is_open
    with pytest.raises(ValueError, match="does not exist"):
        firebase_admin.get_app(name)
    with pytest.raises(RuntimeError, match="not open"):
        await notifier.send_multicast(["token-a"], title=TITLE, body=BODY, data=DATA)


async def test_two_notifiers_have_separate_apps(fcm_server):
    async with (
        FcmNotifier(endpoint=fcm_server.url, project_id=PROJECT) as first,
        FcmNotifier(endpoint=fcm_server.url, project_id="other-project") as second,
    ):
        assert first.app_name != second.app_name


def test_configuration_errors_are_raised_at_construction():
    with pytest.raises(ValueError, match="credentials file, or a local"):
        FcmNotifier()
    with pytest.raises(ValueError, match="base URL"):
        FcmNotifier(endpoint="127.0.0.1:9", project_id=PROJECT)
    # The production URL is no override: without a credentials file there is nothing to send with.
    with pytest.raises(ValueError, match="credentials file, or a local"):
        FcmNotifier(endpoint="https://fcm.googleapis.com/", project_id=PROJECT)


@pytest.mark.parametrize("attribute", ["_fcm_url", "_async_client"])
async def test_open_fails_loudly_when_firebase_admin_moves_an_internal(
    fcm_server, monkeypatch, attribute
):
    real_init = messaging._MessagingService.__init__

    def init_without(self, app):
        real_init(self, app)
        delattr(self, attribute)

    monkeypatch.setattr(messaging._MessagingService, "__init__", init_without)
    notifier = FcmNotifier(endpoint=fcm_server.url, project_id=PROJECT)

    # The clear error, not an AttributeError from firebase-admin's own cleanup of the App.
    with pytest.raises(FirebaseAdminChangedError, match=attribute) as raised:
        await notifier.open()
    assert firebase_admin.__version__ in str(raised.value)
    assert not notifier.is_open
    assert notifier.app_name is None


async def test_open_is_idempotent_and_a_reopened_notifier_gets_a_new_app(notifier, fcm_server):
    name = notifier.app_name
    assert await notifier.open() is notifier
    assert notifier.app_name == name

    await notifier.close()
    await notifier.open()
    assert notifier.app_name not in (None, name)
    outcome = await notifier.send_multicast(["token-a"], title=TITLE, body=BODY, data=DATA)
    assert outcome.success_count == 1


def _service_account_file(tmp_path, token_uri: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": "project-from-file",
        "private_key_id": "test-key",
        "private_key": pem,
        "client_email": "pusher@project-from-file.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path = tmp_path / "service-account.json"
    path.write_text(json.dumps(info))
    return str(path)


async def test_credentials_file_uses_the_real_service_account_flow(tmp_path, fcm_server):
    # The service-account credential must fetch a real OAuth token from its token_uri; pointed
    # at a closed local port, that fetch fails, and the notifier says so instead of sending.
    closed_port = _free_port()
    path = _service_account_file(tmp_path, f"http://127.0.0.1:{closed_port}/token")
    fcm_server.reset()

    started = time.monotonic()
    async with FcmNotifier(credentials_path=path, endpoint=fcm_server.url) as notifier:
        assert firebase_admin.get_app(notifier.app_name).project_id == "project-from-file"
        with pytest.raises(PushError, match="access token"):
            await notifier.send_multicast(["token-a"], title=TITLE, body=BODY, data=DATA)

    assert fcm_server.request_count == 0
    assert time.monotonic() - started < 30


async def test_a_local_endpoint_alone_is_enough_to_push(fcm_server):
    """Only GRAPHNODE_FCM_ENDPOINT set (no credentials, no project): the worker used to
    refuse to start; it now addresses the local server as project graphnode-local."""
    async with FcmNotifier(endpoint=fcm_server.url) as notifier:
        outcome = await notifier.send_multicast(["tok-1"], title="t", body="b", data={})
    assert outcome.success_count == 1
    assert fcm_server.delivered[-1]["token"] == "tok-1"
