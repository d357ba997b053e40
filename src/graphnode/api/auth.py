"""Bearer JWTs: HS256 with a shared secret, or RS256 with an identity provider's public key.
The user is the token's ``sub``; every route sees only that user's data."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import jwt

from graphnode.api.problems import Problem
from graphnode.contracts.identifiers import check_id
from graphnode.settings import DEV_JWT_SECRET, Settings

DEV_TOKEN_LIFETIME_SECONDS = 30 * 24 * 3600
# Clock skew between the token issuer and us that we tolerate.
LEEWAY_SECONDS = 30


@dataclass(frozen=True)
class TokenVerifier:
    key: str
    algorithm: str
    audience: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenVerifier:
        if settings.jwt_public_key:
            return cls(Path(settings.jwt_public_key).read_text(), "RS256", settings.jwt_audience)
        if not settings.jwt_secret:
            raise ValueError("set GRAPHNODE_JWT_SECRET or GRAPHNODE_JWT_PUBLIC_KEY")
        return cls(settings.jwt_secret, "HS256", settings.jwt_audience)

    @property
    def is_development_key(self) -> bool:
        return self.key == DEV_JWT_SECRET

    def user_of(self, authorization: str | None) -> str:
        """The ``sub`` of a valid ``Authorization: Bearer`` token, else a 401 saying why."""
        if not authorization or not authorization.startswith("Bearer "):
            raise Problem(401, "Sign in: send 'Authorization: Bearer <token>'.")
        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=[self.algorithm],
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise Problem(401, "Your token has expired: sign in again.") from None
        except jwt.InvalidTokenError as exc:
            raise Problem(401, f"Your token is not valid ({exc}): sign in again.") from None
        try:
            return check_id(str(claims["sub"]))
        except ValueError as exc:
            raise Problem(401, f"The token's subject cannot be a user id: {exc}") from None


def issue_development_token(settings: Settings, user_id: str, lifetime: int) -> str:
    """An HS256 token for ``user_id`` (``graphnode token USER``)."""
    if not settings.jwt_secret:
        raise ValueError("GRAPHNODE_JWT_SECRET is not set")
    now = int(time.time())
    claims = {"sub": check_id(user_id), "iat": now, "exp": now + lifetime}
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
