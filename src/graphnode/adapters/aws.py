"""aiobotocore clients configured from the settings (LocalStack or real AWS)."""

from __future__ import annotations

import contextlib
import os
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from graphnode.settings import Settings

# LocalStack accepts any credentials; real AWS must get them from the normal chain
# (environment, profile, instance role), which we never override.
_LOCAL_CREDENTIALS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


def credentials_for(settings: Settings) -> dict[str, str]:
    """Dummy credentials for a local endpoint unless the environment brings its own."""
    has_own = any(
        name in os.environ
        for name in ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE")
    )
    if settings.aws_endpoint_url and not has_own:
        return _LOCAL_CREDENTIALS
    return {}


async def open_aws_client(
    stack: contextlib.AsyncExitStack,
    service: str,
    settings: Settings,
    *,
    max_pool_connections: int = 10,
    read_timeout: float = 60.0,
    extra_config: dict[str, Any] | None = None,
) -> Any:
    """Create an aiobotocore client whose closing is registered on ``stack``."""
    config = AioConfig(
        max_pool_connections=max_pool_connections,
        connect_timeout=10,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": 4},
        **(extra_config or {}),
    )
    creator = get_session().create_client(
        service,
        region_name=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url,
        config=config,
        **credentials_for(settings),
    )
    return await stack.enter_async_context(creator)
