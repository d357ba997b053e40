"""The one exception type of the contract layer."""

from __future__ import annotations


class ContractError(ValueError):
    """A message or file does not follow docs/contract.md.

    ``reason`` is a sentence a person can act on; the worker attaches it to the message it
    dead-letters and the API returns it in a 4xx body.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
