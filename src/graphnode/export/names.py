"""Safe, unique note names for an Obsidian vault.

A name becomes a file name on any system the vault is unzipped on and the target of a
``[[wiki-link]]``, so it holds no path separator, no control character, nothing Windows
refuses (``<>:"/\\|?*``, trailing dots or spaces, ``CON``/``NUL``/``COM1``...), nothing
that ends or splits a wiki-link (``[ ] | # ^``), and fits a file system's 255-byte names.
Names are unique without regard to case: macOS and Windows file systems ignore it.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 150  # leaves room for " (12)" and ".md" under every file system's 255
FALLBACK = "Untitled"

_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\[\]#^]')
_SPACES = re.compile(r"\s+")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{k}{i}" for k in ("COM", "LPT") for i in range(10)}


def _clip(name: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut between characters."""
    data = name.encode()
    if len(data) <= limit:
        return name
    return data[:limit].decode(errors="ignore")


def _kept(ch: str) -> str:
    category = unicodedata.category(ch)
    if category == "Cc":
        return " "
    return "" if category in ("Cf", "Cs") else ch


def _tidy(name: str) -> str:
    return name.strip(" .")


def safe_name(title: str, fallback: str = FALLBACK) -> str:
    """``title`` as a note name that is safe everywhere (see the module's rules)."""
    name = unicodedata.normalize("NFC", title)
    # Control characters part words (a tab, a newline); format ones (bidi overrides,
    # zero-width marks) only disguise a name, so they go.
    name = "".join(_kept(ch) for ch in name)
    name = _tidy(_SPACES.sub(" ", _UNSAFE.sub(" ", name)))
    name = _tidy(_clip(name, MAX_NAME_BYTES))
    if not name:
        name = fallback
    if name.split(".")[0].strip().upper() in _RESERVED:
        name = f"{name}_"
    return name


class UniqueNames:
    """Hands out each name once: a second "Ideas" is "Ideas (2)"."""

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken = {name.casefold() for name in reserved}

    def claim(self, title: str, fallback: str = FALLBACK) -> str:
        base = safe_name(title, fallback)
        name, count = base, 1
        while name.casefold() in self._taken:
            count += 1
            name = f"{base} ({count})"
        self._taken.add(name.casefold())
        return name
