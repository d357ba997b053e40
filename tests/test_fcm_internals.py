"""The firebase-admin private internals graphnode relies on, checked on the installed release.

These fail first, and loudly, when a firebase-admin upgrade moves what
graphnode.adapters.fcm_internals reaches into (see its docstring).
"""

from __future__ import annotations

import asyncio
import tomllib
import uuid
import warnings
from collections.abc import AsyncIterator
from pathlib import Path

import firebase_admin
import pytest
from firebase_admin import _http_client, messaging
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from graphnode.adapters.fcm import _StaticAccessTokenCredential
from graphnode.adapters.fcm_internals import (
    FCM_PRODUCTION_ENDPOINT,
    TESTED_RANGE,
    FirebaseAdminChangedError,
    MessagingInternals,
)

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
TOKEN = "internals-test-token"


def _new_app(project: str = "internals-test") -> firebase_admin.App:
    return firebase_admin.initialize_app(
        _StaticAccessTokenCredential(TOKEN),
        {"projectId": project},
        name=f"internals-test-{uuid.uuid4().hex}",
    )


@pytest.fixture
async def app() -> AsyncIterator[firebase_admin.App]:
    created = _new_app()
    yield created
    # delete_app runs asyncio.run(aclose()), which needs a thread without a running loop.
    await asyncio.to_thread(firebase_admin.delete_app, created)


def test_installed_firebase_admin_is_the_tested_range_and_pyproject_pins_it():
    installed = Version(firebase_admin.__version__)
    assert installed in SpecifierSet(TESTED_RANGE), (
        f"firebase-admin {installed} is outside the range fcm_internals was checked against "
        f"({TESTED_RANGE}): re-read its private internals, then widen TESTED_RANGE and the pin"
    )
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    pins = [
        Requirement(line) for line in dependencies if Requirement(line).name == "firebase-admin"
    ]
    assert [pin.specifier for pin in pins] == [SpecifierSet(TESTED_RANGE)]


def test_the_private_names_exist_with_the_expected_types(app):
    assert callable(messaging._get_messaging_service)
    service = messaging._get_messaging_service(app)
    assert isinstance(service, messaging._MessagingService)
    # Instance attributes, set by __init__: what MessagingInternals reads and writes.
    attributes = vars(service)
    assert attributes["_fcm_url"] == (
        f"{FCM_PRODUCTION_ENDPOINT}/v1/projects/internals-test/messages:send"
    )
    assert isinstance(attributes["_async_client"], _http_client.HttpxAsyncClient)
    assert asyncio.iscoroutinefunction(attributes["_async_client"].aclose)
    assert MessagingInternals(app).send_url == attributes["_fcm_url"]


async def test_the_redirect_takes_effect_against_the_local_server(app, fcm_server):
    other = _new_app("other-project")
    try:
        internals = MessagingInternals(app)
        internals.redirect(fcm_server.url, "a project/with slash")
        with warnings.catch_warnings():
            # 7.7 deprecates ``token`` for FIDs; graphnode sends registration tokens (see fcm.py).
            warnings.simplefilter("ignore", DeprecationWarning)
            message = messaging.Message(token="token-redirected", data={"k": "v"})

        batch = await messaging.send_each_async([message], app=app)

        assert batch.success_count == 1, batch.responses[0].exception
        assert fcm_server.delivered_tokens() == ["token-redirected"]
        assert batch.responses[0].message_id.startswith("projects/a project/with slash/")
        # Only this App's service moved: another App still addresses FCM itself.
        assert MessagingInternals(other).send_url.startswith(FCM_PRODUCTION_ENDPOINT)
        await internals.aclose()
    finally:
        await asyncio.to_thread(firebase_admin.delete_app, other)


async def test_aclose_closes_the_client_on_this_loop_and_delete_app_still_works(fcm_server):
    created = _new_app()
    internals = MessagingInternals(created)
    client = messaging._get_messaging_service(created)._async_client.async_client

    await internals.aclose()
    await internals.aclose()  # twice is harmless

    assert client.is_closed
    # firebase-admin's own close() (asyncio.run(aclose())) then finds it closed.
    await asyncio.to_thread(firebase_admin.delete_app, created)


@pytest.mark.parametrize("attribute", ["_fcm_url", "_async_client"])
def test_a_missing_internal_is_a_clear_error_naming_the_version(app, attribute):
    service = messaging._get_messaging_service(app)
    saved = getattr(service, attribute)
    delattr(service, attribute)
    try:
        with pytest.raises(FirebaseAdminChangedError, match=attribute) as raised:
            MessagingInternals(app)
    finally:
        setattr(service, attribute, saved)
    assert f"firebase-admin {firebase_admin.__version__}" in str(raised.value)


def test_a_missing_service_accessor_is_a_clear_error(app, monkeypatch):
    monkeypatch.delattr(messaging, "_get_messaging_service")
    with pytest.raises(FirebaseAdminChangedError, match="_get_messaging_service"):
        MessagingInternals(app)
