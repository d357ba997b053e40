"""Headless Chromium through Playwright, for tests of pages we serve.

Usage::

    async with Browser() as browser:
        page = await browser.open(url, width=1280, height=800)
        state = await page.wait_for_state("ready", "error")
        count = await page.evaluate("graphnodeViewer.stats().nodesDrawn")
        await page.mouse_move(400, 300)
        await page.screenshot(Path("tests/artifacts/viewer.png"))

Chromium comes from Debian (``apt-get install -y chromium``); ``GRAPHNODE_CHROMIUM`` may
name another binary. Playwright drives it through ``executable_path``: its own browser
download (``playwright install``) is never needed. Each ``open`` is a fresh browser context
with its own viewport, so tabs share no storage. ``Page`` keeps what the tests assert on:
the page's uncaught errors and ``console.error`` calls, its console and its requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import ConsoleMessage, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Page as PlaywrightPage

from tests.support.waiting import wait_until

CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")

# On top of Playwright's own switches (no background networking, sync, component updates,
# first-run or breakpad; --no-sandbox, which root needs): what the tests relied on before.
FLAGS = (
    "--disable-gpu",
    "--disable-quic",
    "--disable-crash-reporter",
    "--font-render-hinting=none",
)


def find_chromium() -> str | None:
    """The Chromium binary to use, or None when none is installed."""
    given = os.environ.get("GRAPHNODE_CHROMIUM")
    if given:
        return given
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Page:
    """One tab, in its own browser context; ``pw`` is Playwright's page for anything else."""

    pw: PlaywrightPage
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    opened_at: float = 0.0  # time.monotonic() just before the first navigation

    def __post_init__(self) -> None:
        self.pw.on("console", self._on_console)
        self.pw.on("pageerror", lambda error: self.errors.append(error.stack or error.message))
        self.pw.on("request", lambda request: self.requests.append(request.url))

    def _on_console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text} {message.location['url']}")
        # Chromium's own log entries (a failed load, a CSP violation) reach Playwright as
        # console messages of level "error" with no arguments; only the page's calls count.
        if message.type == "assert" or (message.type == "error" and message.args):
            self.errors.append(f"console.{message.type}: {message.text}")

    # -- navigation and evaluation ---------------------------------------------------------

    async def reload(self) -> None:
        await self.pw.reload(wait_until="commit")

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page (promises are awaited)."""
        try:
            return await self.pw.evaluate(expression)
        except PlaywrightError as error:
            error.add_note(f"evaluating {expression!r}")
            raise

    async def wait_for(self, expression: str, *, within: float = 30.0, what: str = "") -> Any:
        """Poll ``expression`` until it is truthy; its value. Fails after ``within`` s.

        Not ``wait_for_function``: Playwright compiles its predicate with ``new Function`` in
        the page, which the viewer's CSP (no 'unsafe-eval') refuses."""

        async def check() -> Any:
            with contextlib.suppress(PlaywrightError):  # e.g. mid-navigation
                return await self.pw.evaluate(expression)
            return None

        try:
            return await wait_until(check, within=within, what=what or expression)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{await self.describe()}") from None

    async def state(self) -> str | None:
        with contextlib.suppress(PlaywrightError):
            return await self.pw.evaluate("document.body ? document.body.dataset.state : null")
        return None

    async def wait_for_state(self, *states: str, within: float = 30.0) -> str:
        """Wait until ``document.body.dataset.state`` is one of ``states``; which one."""
        wanted = json.dumps(list(states))
        return await self.wait_for(
            f"(() => {{ const s = document.body && document.body.dataset.state;"
            f" return {wanted}.includes(s) ? s : null; }})()",
            within=within,
            what=f"page state in {list(states)}",
        )

    async def describe(self) -> str:
        """What the page looks like now, for failure messages."""
        state = await self.state()
        return (
            f"page state={state!r}\nerrors={self.errors[-5:]}\n"
            f"console={self.console[-10:]}\nrequests={self.requests[-10:]}"
        )

    # -- input ---------------------------------------------------------------------------

    async def mouse_move(self, x: float, y: float) -> None:
        await self.pw.mouse.move(x, y)

    async def click(self, x: float, y: float) -> None:
        await self.pw.mouse.click(x, y)

    async def drag(self, x0: float, y0: float, x1: float, y1: float, steps: int = 8) -> None:
        await self.pw.mouse.move(x0, y0)
        await self.pw.mouse.down()
        await self.pw.mouse.move(x1, y1, steps=steps)
        await self.pw.mouse.up()

    async def wheel(self, x: float, y: float, delta_y: float) -> None:
        await self.pw.mouse.move(x, y)  # Playwright's wheel turns where the mouse is
        await self.pw.mouse.wheel(0, delta_y)

    async def pinch(self, x: float, y: float, start: float, end: float, *, steps: int = 6) -> None:
        """Two fingers around (x, y), horizontally ``start`` px apart, moving to ``end``.

        Playwright's touchscreen only taps, so the touches go over a DevTools session."""
        session = await self.pw.context.new_cdp_session(self.pw)

        def fingers(distance: float) -> list[dict[str, float]]:
            half = distance / 2
            return [{"x": x - half, "y": y, "id": 0}, {"x": x + half, "y": y, "id": 1}]

        try:
            await session.send(
                "Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 2}
            )
            touch = "Input.dispatchTouchEvent"
            await session.send(touch, {"type": "touchStart", "touchPoints": fingers(start)})
            for step in range(1, steps + 1):
                distance = start + (end - start) * step / steps
                await session.send(touch, {"type": "touchMove", "touchPoints": fingers(distance)})
            await session.send(touch, {"type": "touchEnd", "touchPoints": []})
        finally:
            await session.detach()

    async def click_selector(self, selector: str) -> None:
        """A real mouse click on the first element matching ``selector`` (scrolled to)."""
        await self.pw.locator(selector).first.click()

    # -- pictures ----------------------------------------------------------------------------

    async def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or the whole page) and return its path."""
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await self.pw.screenshot(path=path, full_page=full_page)
        return path

    async def close(self) -> None:
        with contextlib.suppress(PlaywrightError):
            await self.pw.context.close()


class Browser:
    """Headless Chromium for one ``async with`` block; see the module docstring."""

    def __init__(self, *, executable: str | None = None) -> None:
        self.executable = executable or find_chromium()
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self._playwright: Playwright | None = None
        self._browser: PlaywrightBrowser | None = None

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _start(self) -> None:
        if not self.executable:
            raise FileNotFoundError("no Chromium found: apt-get install -y chromium")
        # Playwright gives Chromium a temporary profile; crash reports and caches that go by
        # $HOME land in a temporary directory too, never in the user's.
        self._home = tempfile.TemporaryDirectory(prefix="graphnode-chromium-")
        home = self._home.name
        self._playwright = await async_playwright().start()
        self._browser = await self._playwright.chromium.launch(
            executable_path=self.executable,
            headless=True,
            args=list(FLAGS),
            env={
                **os.environ,
                "HOME": home,
                "XDG_CONFIG_HOME": f"{home}/config",
                "XDG_CACHE_HOME": f"{home}/cache",
            },
        )

    async def open(
        self,
        url: str,
        *,
        width: int = 1280,
        height: int = 800,
        scale: float = 1.0,
        init_script: str | None = None,
    ) -> Page:
        """A new tab at ``width`` x ``height`` CSS px navigated to ``url`` (not waited on).

        ``init_script`` runs in the page before any of its own scripts (e.g. to break an API
        on purpose and see that the page copes)."""
        if self._browser is None:
            raise RuntimeError("Browser.open outside its async with block")
        page = Page(
            await self._browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=scale
            )
        )
        if init_script:
            await page.pw.add_init_script(init_script)
        page.opened_at = time.monotonic()
        await page.pw.goto(url, wait_until="commit")
        return page

    async def close(self) -> None:
        """Close Chromium (Playwright kills its process group) and the driver."""
        if self._browser is not None:
            with contextlib.suppress(PlaywrightError):
                await self._browser.close()
        if self._playwright is not None:
            await self._playwright.stop()
        if self._home is not None:
            self._home.cleanup()
        self._browser = self._playwright = self._home = None
