"""Hostile HTTP against the API as it runs (``python -m graphnode.api``, a process of its own):
requests aiohttp's parser refuses are answered as problem documents that never quote what
was sent and never name a version; unknown routes, wrong methods and oversize bodies too.

Raw sockets, since no HTTP client will send most of these.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import orjson
import pytest

from graphnode.client.api_client import GraphNodeClient
from graphnode.local.processes import free_port
from graphnode.local.stack import provision_aws, service_process
from graphnode.settings import Settings
from tests.support.api import process_settings, token

ROOT = Path(__file__).resolve().parents[2]
NOTES = ROOT / "samples" / "chatgpt-export" / "notes.json"

# How long this API waits for a stalled body's next byte.
IDLE_SECONDS = 2.0

# Put into the hostile part of every request: an answer that contains it quotes the request.
MARKER = b"ECHO7f3a"


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes
    raw: bytes


@dataclasses.dataclass(frozen=True)
class Live:
    port: int
    settings: Settings

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bearer(self, user: str) -> bytes:
        return b"Authorization: Bearer %s\r\n" % token(self.settings, user).encode()


@pytest.fixture(scope="module")
def live(
    aws_endpoint: str, mongo_uri: str, chroma_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The API alone, as a process, on a fresh bucket and database."""
    settings = process_settings(
        "hostile",
        aws_endpoint,
        mongo_uri,
        chroma_url,
        api_port=free_port(),
        body_idle_seconds=IDLE_SECONDS,
    )
    provision_aws(settings)
    logs: Path = tmp_path_factory.mktemp("hostile-api")
    api = service_process(settings, "api", logs).start()
    try:
        yield Live(settings.api_port, settings)
    finally:
        api.stop()


def _parse(raw: bytes) -> Answer:
    head, _, body = raw.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Answer(int(status_line.split()[1]), headers, body, raw)


async def exchange(port: int, *parts: bytes, pause: float = 0.3) -> Answer:
    """Send ``parts`` (pausing between them, so the parser sees them apart) and read the
    answer to its end: after any error the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for n, part in enumerate(parts):
            if n:
                await asyncio.sleep(pause)
            with contextlib.suppress(ConnectionError):  # it may answer before the rest
                writer.write(part)
                await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 15)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
    assert raw, "the server closed the connection without an answer"
    return _parse(raw)


def assert_problem(answer: Answer, status: int) -> dict[str, object]:
    assert answer.status == status, answer.raw[:500]
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.headers["server"] == "graphnode"  # no software, no version
    assert MARKER not in answer.raw  # nothing of what was sent comes back
    problem = orjson.loads(answer.body)
    assert problem["status"] == status
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    return problem


HOST = b"Host: 127.0.0.1\r\n"
CHUNKED_POST = b"POST /v1/graphs/generate HTTP/1.1\r\n" + HOST + b"Transfer-Encoding: chunked\r\n"

# Each is refused by aiohttp's parser, before routing: no middleware ever sees it.
MALFORMED: dict[str, bytes] = {
    "garbage request line": b"GARBAGE-" + MARKER + b"\r\n\r\n",
    "invalid method": b"G@T-" + MARKER + b" / HTTP/1.1\r\n" + HOST + b"\r\n",
    "TLS sent to the HTTP port": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + MARKER,
    "unknown HTTP version": b"GET /" + MARKER + b" HTTP/9.9\r\n" + HOST + b"\r\n",
    "space in a header name": b"GET / HTTP/1.1\r\n" + HOST + b"Bad " + MARKER + b": x\r\n\r\n",
    "control character in a header value": (
        b"GET / HTTP/1.1\r\n" + HOST + b"X-Value: a\x01" + MARKER + b"\r\n\r\n"
    ),
    "header line too long": (
        b"GET / HTTP/1.1\r\n" + HOST + b"X-Long: " + MARKER + b"A" * 9000 + b"\r\n\r\n"
    ),
    "request line too long": b"GET /" + MARKER + b"a" * 9000 + b" HTTP/1.1\r\n" + HOST + b"\r\n",
    "too many headers": (
        b"GET / HTTP/1.1\r\n"
        + HOST
        + b"".join(b"X-%d: " % n + MARKER + b"\r\n" for n in range(300))
        + b"\r\n"
    ),
    "non-ASCII in the path": b"GET /caf\xc3\xa9\x01" + MARKER + b" HTTP/1.1\r\n" + HOST + b"\r\n",
    "NUL in the path": b"GET /\x00" + MARKER + b" HTTP/1.1\r\n" + HOST + b"\r\n",
    "negative Content-Length": (
        b"POST /v1/graphs/generate HTTP/1.1\r\n"
        + HOST
        + b"Content-Length: -1"
        + MARKER
        + b"\r\n\r\n"
    ),
    "Content-Length with Transfer-Encoding": (
        CHUNKED_POST + b"Content-Length: 3\r\nX-Echo: " + MARKER + b"\r\n\r\n0\r\n\r\n"
    ),
    "unknown Transfer-Encoding": (
        b"POST /v1/graphs/generate HTTP/1.1\r\n"
        + HOST
        + b"Transfer-Encoding: "
        + MARKER
        + b"\r\n\r\n"
    ),
    "bad chunk size": CHUNKED_POST + b"\r\nZZ" + MARKER + b"\r\nabc\r\n0\r\n\r\n",
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_request_the_parser_refuses_is_a_problem_that_quotes_nothing(
    live: Live, raw: bytes
) -> None:
    answer = await exchange(live.port, raw)
    problem = assert_problem(answer, 400)
    assert problem["title"] == "Bad request"
    # The server hangs up (``exchange`` reads to the end); an HTTP/1.1 client is told so.
    # (A request line aiohttp cannot read is answered as HTTP/1.0, where closing is the rule.)
    if answer.raw.startswith(b"HTTP/1.1"):
        assert answer.headers["connection"].lower() == "close"


async def test_a_bad_request_after_a_good_one_on_the_same_connection_is_a_problem(
    live: Live,
) -> None:
    good = b"GET /healthz HTTP/1.1\r\n" + HOST + b"\r\n"
    bad = b"G@T-" + MARKER + b" / HTTP/1.1\r\n" + HOST + b"\r\n"
    # The good answer is read before the bad request goes out: aiohttp parses a packet's
    # requests together, and one that holds a broken request loses the good one too.
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        writer.write(good)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 15)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(_parse(head).headers["content-length"])
        await asyncio.wait_for(reader.readexactly(length), 15)
        writer.write(bad)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(), 15)
    finally:
        writer.close()
    assert_problem(_parse(raw), 400)


async def test_a_chunk_that_breaks_after_the_body_began_is_refused_not_waited_on(
    live: Live,
) -> None:
    # Headers and a good chunk first, the broken chunk later: the view is already reading the
    # body when the parser fails. aiohttp's pure-Python parser hands the view the error (400);
    # its C parser leaves the body waiting with no error, so the idle limit answers (408).
    answer = await exchange(
        live.port,
        CHUNKED_POST + live.bearer("chunky") + b"\r\n" + b"2\r\n{ \r\n",
        b"ZZ" + MARKER + b"\r\n",
        pause=0.5,
    )
    assert answer.status in (400, 408), answer.raw[:300]
    assert_problem(answer, answer.status)


STALLED_BODIES: dict[str, bytes] = {
    "a JSON body": (
        b"POST /v1/graphs/me/search HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 400\r\n"
    ),
    "an upload": (
        b"POST /v1/imports?filename=notes.json HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: application/json\r\nContent-Length: 400\r\n"
    ),
    "a multipart upload": (
        b"POST /v1/imports HTTP/1.1\r\n"
        + HOST
        + b"Content-Type: multipart/form-data; boundary=XX\r\nContent-Length: 400\r\n"
    ),
}


@pytest.mark.parametrize("head", STALLED_BODIES.values(), ids=STALLED_BODIES.keys())
async def test_a_body_that_stops_halfway_is_a_408_after_the_idle_limit(
    live: Live, head: bytes
) -> None:
    # 400 bytes promised, 20 sent, then silence with the connection open. The answer is timed
    # to its arrival: aiohttp lingers a while longer before it hangs up on an unread body.
    reader, writer = await asyncio.open_connection("127.0.0.1", live.port)
    try:
        writer.write(head + live.bearer("stalled") + b"\r\n" + b"--XX\r\n" + b"{" * 14)
        await writer.drain()
        started = asyncio.get_running_loop().time()
        head_back = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE_SECONDS + 10)
        waited = asyncio.get_running_loop().time() - started
        length = int(_parse(head_back).headers["content-length"])
        answer = _parse(head_back + await asyncio.wait_for(reader.readexactly(length), 5))
    finally:
        writer.close()
    assert_problem(answer, 408)
    assert answer.headers["connection"].lower() == "close"
    assert IDLE_SECONDS <= waited < IDLE_SECONDS + 5


async def test_an_unknown_route_is_a_problem_that_does_not_quote_the_path(live: Live) -> None:
    request = b"GET /no-such-" + MARKER + b" HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
    assert_problem(await exchange(live.port, request), 404)


async def test_a_wrong_method_is_a_problem_that_says_which_are_allowed(live: Live) -> None:
    request = b"DELETE /healthz HTTP/1.1\r\n" + HOST + b"Connection: close\r\n\r\n"
    answer = await exchange(live.port, request)
    assert_problem(answer, 405)
    assert "GET" in answer.headers["allow"]


async def test_an_oversize_json_body_is_a_413_problem(live: Live) -> None:
    body = b'{"query": "' + MARKER + b"x" * (2 * 1024 * 1024) + b'"}'
    head = (
        b"POST /v1/graphs/me/search HTTP/1.1\r\n"
        + HOST
        + live.bearer("big")
        + b"Content-Type: application/json\r\nConnection: close\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(body)
    )
    assert_problem(await exchange(live.port, head + body), 413)


async def post_options(live: Live, user: str, body: bytes) -> tuple[int, bytes]:
    """``POST /v1/graphs/generate`` with ``body`` as the options; the status and the body of
    the answer, which must be a problem document when it is an error."""
    async with (
        aiohttp.ClientSession(live.url) as session,
        session.post(
            "/v1/graphs/generate",
            data=body,
            headers={
                "Authorization": f"Bearer {token(live.settings, user)}",
                "Content-Type": "application/json",
            },
        ) as response,
    ):
        raw = await response.read()
        if response.status >= 400:
            assert response.headers["Content-Type"].startswith("application/problem+json")
        return response.status, raw


# Generation options are strict: JSON's types, as the OpenAPI document says, never coerced.
WRONG_OPTIONS: dict[str, tuple[bytes, str]] = {
    "a number as a string": (b'{"minClusters": "5"}', "minClusters"),
    "a boolean as a string": (b'{"includeSummary": "yes"}', "includeSummary"),
    "a boolean as a number": (b'{"includeSummary": 1}', "includeSummary"),
    "a whole number as a float": (b'{"maxClusters": 5.0}', "maxClusters"),
    "a number past any float": (b'{"minClusters": 1e400}', "minClusters"),
    "zero topics": (b'{"minClusters": 0}', "minClusters"),
    "a language as a list": (b'{"language": ["en"]}', "language"),
    "an option nobody knows": (b'{"minClusterz": 5}', "allowed"),
    "a range the wrong way round": (b'{"minClusters": 9, "maxClusters": 2}', "greater"),
    "a list for a body": (b"[]", ""),
    "a string for a body": (b'"' + MARKER + b'"', ""),
    "broken JSON": (b'{"minClusters": ' + MARKER, ""),
    "bytes that are not UTF-8": (b'{"language": "\xff\xfe' + MARKER + b'"}', ""),
    "JSON nested past any sense": (b"[" * 30_000 + b"]" * 30_000, ""),
}


@pytest.mark.parametrize(("body", "names"), WRONG_OPTIONS.values(), ids=WRONG_OPTIONS.keys())
async def test_generation_options_of_the_wrong_shape_are_refused_as_422(
    live: Live, body: bytes, names: str
) -> None:
    status, raw = await post_options(live, "strict", body)
    assert status == 422, raw[:300]
    assert MARKER not in raw
    detail = orjson.loads(raw)["detail"]
    # Refused for its shape, not for "nothing imported yet", which any valid body would get.
    assert "import" not in detail
    assert names in detail


# Valid JSON of the right types, yet hostile to what lies behind the API (MongoDB's 8-byte
# integers, SQS's refusal of NUL, a prompt's length): refused as the client's fault, never a
# 5xx. (This API runs without the AI service, so anything accepted would be a 503.)
ODD_OPTIONS: dict[str, bytes] = {
    "a number past 64 bits": b'{"minClusters": 100000000000000000000000000000}',
    "a NUL in a language": b'{"language": "en\\u0000"}',
    "a huge language": b'{"language": "' + b"x" * 500_000 + b'"}',
}


@pytest.mark.parametrize("body", ODD_OPTIONS.values(), ids=ODD_OPTIONS.keys())
async def test_odd_but_well_typed_options_are_refused_never_a_5xx(live: Live, body: bytes) -> None:
    user = f"odd-{uuid.uuid4().hex[:8]}"
    async with GraphNodeClient(live.url, token(live.settings, user)) as client:
        await client.import_file(NOTES)
    status, raw = await post_options(live, user, body)
    assert status in (413, 422), raw[:300]
    assert MARKER not in raw
