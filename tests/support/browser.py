"""Headless Chromium driven over the DevTools protocol, for tests of pages we serve.

Usage::

    async with Browser() as browser:
        page = await browser.open(url, width=1280, height=800)
        state = await page.wait_for_state("ready", "error")
        count = await page.evaluate("graphnodeViewer.stats().nodesDrawn")
        await page.mouse_move(400, 300)
        await page.screenshot(Path("tests/artifacts/viewer.png"))

Chromium comes from Debian (``apt-get install -y chromium``); ``GRAPHNODE_CHROMIUM`` may
name another binary. It starts with ``--remote-debugging-port=0`` and a fresh profile; the
port it picked is read from ``DevToolsActivePort`` in that profile. One websocket to the
browser carries every command; each page is a target attached with ``flatten`` sessions.
Waits poll a condition with a deadline (``tests.support.waiting``), never a bare sleep.
Leaving the ``async with`` block kills Chromium's whole process group and removes the profile.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp

from tests.support.waiting import wait_until

CANDIDATES = ("chromium", "chromium-browser", "google-chrome-stable", "google-chrome")

# Without the background-networking/sync/component flags Chromium tries to reach Google
# services at start; here those connections are refused and only slow it down.
FLAGS = (
    "--headless",
    "--no-sandbox",  # tests run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
    "--font-render-hinting=none",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
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


class DevToolsError(RuntimeError):
    """A DevTools command failed, or the page threw while evaluating an expression."""


@dataclass
class Page:
    """One browser tab, attached over a flat DevTools session."""

    browser: Browser
    target_id: str
    session_id: str
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    width: int = 1280
    height: int = 800
    opened_at: float = 0.0  # time.monotonic() just before the first navigation

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.browser.send(method, params, session_id=self.session_id)

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            exception = details.get("exception", {})
            self.errors.append(exception.get("description") or details.get("text", "error"))
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(
                str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])
            )
            self.console.append(f"{params.get('type')}: {text}")
            if params.get("type") in {"error", "assert"}:
                self.errors.append(f"console.{params.get('type')}: {text}")
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            self.console.append(f"{entry.get('level')}: {entry.get('text')} {entry.get('url', '')}")
        elif method == "Network.requestWillBeSent":
            self.requests.append(params.get("request", {}).get("url", ""))

    # -- navigation and evaluation ---------------------------------------------------------

    async def navigate(self, url: str) -> None:
        answer = await self.send("Page.navigate", url=url)
        if answer.get("errorText"):
            raise DevToolsError(f"navigating to {url}: {answer['errorText']}")

    async def reload(self) -> None:
        await self.send("Page.reload", ignoreCache=True)

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page (promises are awaited)."""
        answer = await self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
            userGesture=True,
        )
        if "exceptionDetails" in answer:
            details = answer["exceptionDetails"]
            message = details.get("exception", {}).get("description") or details.get("text")
            raise DevToolsError(f"{expression!r} threw: {message}")
        return answer.get("result", {}).get("value")

    async def wait_for(self, expression: str, *, within: float = 30.0, what: str = "") -> Any:
        """Poll ``expression`` until it is truthy; its value. Fails after ``within`` s."""

        async def check() -> Any:
            with contextlib.suppress(DevToolsError):  # e.g. mid-navigation
                return await self.evaluate(expression)
            return None

        try:
            return await wait_until(check, within=within, what=what or expression)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{await self.describe()}") from None

    async def state(self) -> str | None:
        with contextlib.suppress(DevToolsError):
            return await self.evaluate("document.body ? document.body.dataset.state : null")
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

    async def mouse_move(self, x: float, y: float, *, buttons: int = 0) -> None:
        await self.send(
            "Input.dispatchMouseEvent",
            type="mouseMoved",
            x=x,
            y=y,
            button="left" if buttons else "none",
            buttons=buttons,
        )

    async def mouse_down(self, x: float, y: float) -> None:
        await self.send(
            "Input.dispatchMouseEvent",
            type="mousePressed",
            x=x,
            y=y,
            button="left",
            buttons=1,
            clickCount=1,
        )

    async def mouse_up(self, x: float, y: float) -> None:
        await self.send(
            "Input.dispatchMouseEvent",
            type="mouseReleased",
            x=x,
            y=y,
            button="left",
            buttons=0,
            clickCount=1,
        )

    async def click(self, x: float, y: float) -> None:
        await self.mouse_move(x, y)
        await self.mouse_down(x, y)
        await self.mouse_up(x, y)

    async def drag(self, x0: float, y0: float, x1: float, y1: float, steps: int = 8) -> None:
        await self.mouse_move(x0, y0)
        await self.mouse_down(x0, y0)
        for step in range(1, steps + 1):
            t = step / steps
            await self.mouse_move(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, buttons=1)
        await self.mouse_up(x1, y1)

    async def wheel(self, x: float, y: float, delta_y: float) -> None:
        await self.send(
            "Input.dispatchMouseEvent", type="mouseWheel", x=x, y=y, deltaX=0, deltaY=delta_y
        )

    async def pinch(self, x: float, y: float, start: float, end: float, *, steps: int = 6) -> None:
        """Two fingers around (x, y), horizontally ``start`` px apart, moving to ``end``."""
        await self.send("Emulation.setTouchEmulationEnabled", enabled=True, maxTouchPoints=2)

        def fingers(distance: float) -> list[dict[str, float]]:
            half = distance / 2
            return [{"x": x - half, "y": y, "id": 0}, {"x": x + half, "y": y, "id": 1}]

        await self.send("Input.dispatchTouchEvent", type="touchStart", touchPoints=fingers(start))
        for step in range(1, steps + 1):
            distance = start + (end - start) * step / steps
            await self.send(
                "Input.dispatchTouchEvent", type="touchMove", touchPoints=fingers(distance)
            )
        await self.send("Input.dispatchTouchEvent", type="touchEnd", touchPoints=[])

    async def click_selector(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching ``selector``."""
        box = await self.evaluate(
            f"(() => {{ const el = document.querySelector({json.dumps(selector)});"
            " if (!el) return null; el.scrollIntoView({block: 'center'});"
            " const r = el.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()"
        )
        if box is None:
            raise DevToolsError(f"no element matches {selector!r}")
        await self.click(box["x"], box["y"])

    # -- viewport and pictures --------------------------------------------------------------

    async def set_viewport(self, width: int, height: int, scale: float = 1.0) -> None:
        self.width, self.height = width, height
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=scale,
            mobile=False,
        )

    async def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or the whole page) and return its path."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            metrics = await self.send("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": max(self.width, size["width"]),
                "height": size["height"],
                "scale": 1,
            }
        answer = await self.send("Page.captureScreenshot", **params)
        data = base64.b64decode(answer["data"])
        await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
        await asyncio.to_thread(path.write_bytes, data)
        return path

    async def close(self) -> None:
        with contextlib.suppress(DevToolsError, ConnectionError, TimeoutError):
            await self.browser.send("Target.closeTarget", {"targetId": self.target_id})


class Browser:
    """Headless Chromium for one ``async with`` block; see the module docstring."""

    def __init__(
        self,
        *,
        executable: str | None = None,
        start_timeout: float = 30.0,
        command_timeout: float = 30.0,
    ) -> None:
        self.executable = executable or find_chromium()
        self.start_timeout = start_timeout
        self.command_timeout = command_timeout
        self._workdir: Path | None = None
        self._process: asyncio.subprocess.Process | None = None
        self._http: aiohttp.ClientSession | None = None
        self._socket: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._pages: dict[str, Page] = {}
        self._listeners: list[Callable[[str, dict[str, Any]], None]] = []

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

    @property
    def log(self) -> str:
        """The end of Chromium's own log, for failure messages."""
        if self._workdir is None:
            return ""
        try:
            lines = (self._workdir / "chromium.log").read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(line for line in lines[-30:] if "dbus" not in line)

    async def _start(self) -> None:
        if not self.executable:
            raise FileNotFoundError("no Chromium found: apt-get install -y chromium")
        self._workdir = Path(tempfile.mkdtemp(prefix="graphnode-chromium-"))
        profile = self._workdir / "profile"
        profile.mkdir()
        with (self._workdir / "chromium.log").open("wb") as log:
            self._process = await asyncio.create_subprocess_exec(
                self.executable,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--window-size=1280,800",
                "about:blank",
                stdin=asyncio.subprocess.DEVNULL,
                # Crash reports and caches go under the work dir too, never into $HOME.
                env={
                    **os.environ,
                    "HOME": str(self._workdir),
                    "XDG_CONFIG_HOME": str(self._workdir / "config"),
                    "XDG_CACHE_HOME": str(self._workdir / "cache"),
                },
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: close() kills every child
            )
        port_file = profile / "DevToolsActivePort"

        async def port_written() -> list[str] | None:
            if self._process is not None and self._process.returncode is not None:
                raise RuntimeError(f"Chromium exited with {self._process.returncode}:\n{self.log}")
            try:
                lines = port_file.read_text().split()
            except OSError:
                return None
            return lines if len(lines) >= 2 else None

        port, path = await wait_until(
            port_written, within=self.start_timeout, what="Chromium's DevToolsActivePort"
        )
        self._http = aiohttp.ClientSession()
        self._socket = await self._http.ws_connect(
            f"ws://127.0.0.1:{port}{path}", max_msg_size=0, timeout=aiohttp.ClientWSTimeout()
        )
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self._socket is not None
        try:
            async for message in self._socket:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if "id" in data:
                    future = self._pending.pop(data["id"], None)
                    if future is not None and not future.done():
                        if "error" in data:
                            future.set_exception(DevToolsError(str(data["error"])))
                        else:
                            future.set_result(data.get("result", {}))
                    continue
                page = self._pages.get(data.get("sessionId", ""))
                if page is not None:
                    page.on_event(data.get("method", ""), data.get("params", {}))
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("DevTools connection closed"))
            self._pending.clear()

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None
    ) -> dict[str, Any]:
        """Send one DevTools command and await its result."""
        if self._socket is None or self._socket.closed:
            raise ConnectionError("DevTools connection is not open")
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if session_id:
            message["sessionId"] = session_id
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._socket.send_str(json.dumps(message))
        try:
            return await asyncio.wait_for(future, self.command_timeout)
        except TimeoutError:
            self._pending.pop(message_id, None)
            raise TimeoutError(
                f"DevTools {method} got no answer in {self.command_timeout}s"
            ) from None

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
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(self, target["targetId"], attached["sessionId"])
        self._pages[page.session_id] = page
        for domain in ("Page", "Runtime", "Log", "Network"):
            await page.send(f"{domain}.enable")
        await page.set_viewport(width, height, scale)
        if init_script:
            await page.send("Page.addScriptToEvaluateOnNewDocument", source=init_script)
        page.opened_at = time.monotonic()
        await page.navigate(url)
        return page

    async def close(self) -> None:
        """Close the connection, kill Chromium and its children, remove the profile."""
        if self._socket is not None and not self._socket.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.send("Browser.close"), 5)
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._http is not None:
            await self._http.close()
        await self._kill()
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._socket = self._reader = self._http = self._process = self._workdir = None

    async def _kill(self) -> None:
        process = self._process
        if process is None:
            return
        group = process.pid  # start_new_session: the group id is the leader's pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, sig)
            if process.returncode is None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 5)
        # Renderers and helpers that outlived the browser process, still in its group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
        # The crash handler starts its own session; it names our work dir on its command line.
        for pid in self._strays():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def _strays(self) -> list[int]:
        """Processes still alive whose command line names this browser's work dir."""
        if self._workdir is None:
            return []
        marker = str(self._workdir).encode()
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                if marker in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
        return found
