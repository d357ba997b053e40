"""Settings: read from the environment, documented in the README, errors name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphnode.cli import settings_markdown
from graphnode.settings import Settings, SettingsError, describe_settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_defaults_match_make_services():
    settings = Settings.from_env({})
    assert settings.aws_endpoint_url == "http://127.0.0.1:4566"
    assert settings.mongo_uri == "mongodb://127.0.0.1:27017"
    assert settings.chroma_url == "http://127.0.0.1:8000"
    assert settings.bucket == "graphnode-data"
    assert settings.request_queue == "graphnode-requests"
    assert settings.result_queue == "graphnode-results"
    assert not settings.fcm_enabled


def test_environment_overrides_and_empty_endpoint_means_real_aws():
    settings = Settings.from_env(
        {
            "AWS_ENDPOINT_URL": "",
            "GRAPHNODE_RESULT_QUEUE": "https://sqs.eu-west-1.amazonaws.com/1/results",
            "GRAPHNODE_MAX_RECEIVE_COUNT": "7",
            "GRAPHNODE_CHROMA_PATH": "/var/lib/chroma",
        }
    )
    assert settings.aws_endpoint_url is None
    assert settings.result_queue.endswith("/results")
    assert settings.max_receive_count == 7
    assert settings.chroma_path == "/var/lib/chroma"


def test_invalid_value_names_the_variable():
    with pytest.raises(SettingsError, match="GRAPHNODE_MAX_RECEIVE_COUNT='many'"):
        Settings.from_env({"GRAPHNODE_MAX_RECEIVE_COUNT": "many"})


def test_the_readme_settings_table_is_current():
    """Regenerate with `graphnode settings --markdown` when a setting changes."""
    assert settings_markdown() in README.read_text()
    for name, _, _ in describe_settings():
        assert f"`{name}`" in settings_markdown()


def test_to_env_reproduces_the_settings():
    original = Settings.from_env({"AWS_ENDPOINT_URL": "", "GRAPHNODE_WORKER_POLLERS": "3"})
    assert Settings.from_env(original.to_env()) == original


def test_the_ai_service_has_its_own_long_poll_wait() -> None:
    # The worker's wait no longer reaches the AI service's RequestQueue consumer.
    settings = Settings.from_env(
        {"GRAPHNODE_WORKER_WAIT_SECONDS": "1", "GRAPHNODE_AI_WAIT_SECONDS": "5"}
    )
    assert (settings.worker_wait_seconds, settings.ai_wait_seconds) == (1, 5)
    assert Settings.from_env({}).ai_wait_seconds == 20
    with pytest.raises(SettingsError, match=r"GRAPHNODE_AI_WAIT_SECONDS='21'.*0 to 20"):
        Settings.from_env({"GRAPHNODE_AI_WAIT_SECONDS": "21"})
