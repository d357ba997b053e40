"""Push a task's outcome to the user's devices: once per task result, never failing it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from graphnode.adapters.fcm import FcmNotifier
from graphnode.storage.device_store import DeviceStore
from graphnode.storage.push_receipts import PushReceipts

log = logging.getLogger("graphnode.worker.push")


class Notifier:
    """Claims the push (at most one per task and kind), sends it, prunes dead tokens.

    ``fcm`` is None when pushes are not configured: then nothing is claimed or sent.
    """

    def __init__(
        self, fcm: FcmNotifier | None, devices: DeviceStore, receipts: PushReceipts
    ) -> None:
        self._fcm, self._devices, self._receipts = fcm, devices, receipts

    async def notify(
        self,
        user_id: str,
        task_id: str,
        kind: str,
        *,
        title: str,
        body: str,
        data: Mapping[str, str] | None = None,
    ) -> bool:
        """True if a push went out now; False if disabled, no device, or already pushed."""
        if self._fcm is None:
            return False
        tokens = await self._devices.tokens(user_id)
        if not tokens:
            log.info("no device to push to")
            return False
        if not await self._receipts.claim(user_id, task_id, kind):
            log.info("push already sent for this task result", extra={"kind": kind})
            return False
        payload = {"type": kind, "taskId": task_id, **(data or {})}
        try:
            outcome = await self._fcm.send_multicast(tokens, title=title, body=body, data=payload)
        except Exception:  # a push that fails never fails the message
            log.warning("push failed", exc_info=True, extra={"kind": kind})
            return False
        removed = await self._devices.remove(user_id, outcome.invalid_tokens)
        await self._receipts.record_outcome(
            task_id, kind, success=outcome.success_count, failure=outcome.failure_count
        )
        log.info(
            "push sent",
            extra={
                "kind": kind,
                "success": outcome.success_count,
                "failure": outcome.failure_count,
                "tokensRemoved": removed,
            },
        )
        return True
