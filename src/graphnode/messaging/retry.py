"""How long a failed message stays invisible before SQS hands it out again."""

from __future__ import annotations

from dataclasses import dataclass

# SQS's longest visibility timeout is 12 h; a quarter hour keeps a retry within reach.
MAX_RETRY_DELAY_SECONDS = 900


@dataclass(frozen=True, slots=True)
class ExponentialBackoff:
    """``base * 2^(receives - 1)`` seconds, capped: quick first retry, patient later ones."""

    base_seconds: int
    cap_seconds: int = MAX_RETRY_DELAY_SECONDS

    def delay(self, receive_count: int) -> int:
        if self.base_seconds <= 0:
            return 0
        exponent = max(0, receive_count - 1)
        return min(self.cap_seconds, self.base_seconds * 2 ** min(exponent, 20))
