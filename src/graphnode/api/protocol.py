"""The API's HTTP connection layer: what answers a request that never reaches the app.

aiohttp's parser refuses a malformed request (a bad request line, method or header, a line
too long, too many headers, broken chunked framing, a NUL in the path) before routing, so no
middleware sees it: ``RequestHandler.handle_error`` answers instead, in text/plain, quoting
the offending bytes back, with aiohttp's own ``Server`` header naming both versions, and it
logs each one at ERROR with a traceback. Here those answers are problem documents like every
other error, with a short detail chosen by the kind of fault (never the input), and a bad
request from a client is logged at debug level: it is the client's fault, not ours, and a
port on the internet gets plenty.

aiohttp builds the per-connection ``RequestHandler`` in ``Server.__call__`` and the
``Server`` in ``AppRunner._make_server``; :class:`ApiRunner` swaps both for ours, and
:func:`serve_api` runs the app with it as ``web.run_app`` would.
"""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import http_exceptions, web
from aiohttp.web_request import BaseRequest

from graphnode.api.problems import problem_response
from graphnode.entrypoint import run_until_signalled

# Names no software or version: nothing a client needs, much an attacker likes.
SERVER_HEADER: Final = "graphnode"

# What web.run_app uses (RequestHandler's own default is about an hour).
KEEPALIVE_SECONDS: Final = 75.0
SHUTDOWN_SECONDS: Final = 60.0

# Most specific first: LineTooLong and the payload errors are BadHttpMessages too.
_DETAILS: Final[tuple[tuple[type[BaseException], str], ...]] = (
    (http_exceptions.LineTooLong, "The request line or a header line is too long."),
    (http_exceptions.InvalidURLError, "The request target is not a valid URL path."),
    (http_exceptions.InvalidHeader, "A request header is not valid."),
    (http_exceptions.BadHttpMethod, "The request method is not valid."),
    (http_exceptions.BadStatusLine, "The request line is not valid HTTP/1.1."),
    (http_exceptions.PayloadEncodingError, "The request body's framing is not valid."),
)
_GENERIC_DETAIL: Final = "The request is not valid HTTP/1.1."
_SERVER_ERROR_DETAIL: Final = "Something went wrong on our side; it has been logged."


def parser_detail(exc: BaseException | None) -> str:
    """A short, stable reason for a refused request; aiohttp's message quotes the input."""
    for kind, detail in _DETAILS:
        if isinstance(exc, kind):
            return detail
    return _GENERIC_DETAIL


class ProblemRequestHandler(web.RequestHandler):
    """aiohttp's connection handler, answering the errors it raises itself as problems."""

    __slots__ = ()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,  # aiohttp's text, which may echo the request: unused
    ) -> web.StreamResponse:
        if status >= 500:
            self.log_exception("Error handling request from %s", request.remote, exc_info=exc)
            detail = _SERVER_ERROR_DETAIL
        else:
            self.logger.debug("Refused a malformed request from %s", request.remote, exc_info=exc)
            detail = parser_detail(exc)
        # As aiohttp does: once part of a response is out, no other can follow on the wire.
        if request.writer.output_size > 0:
            raise ConnectionError("a response is partly sent; cannot send the error instead")
        response = problem_response(status, detail, headers={"Server": SERVER_HEADER})
        # The parser has lost its place in the stream: nothing after this can be trusted.
        response.force_close()
        return response


class ProblemServer(web.Server):
    """aiohttp's low-level server, whose connections use :class:`ProblemRequestHandler`."""

    def __call__(self) -> web.RequestHandler:
        return ProblemRequestHandler(self, loop=self._loop, **self._kwargs)


class ApiRunner(web.AppRunner):
    """An ``AppRunner`` serving its app through :class:`ProblemServer`."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # The app's own Server, made after its startup, rebuilt as ours with the same
        # handler, request factory and per-connection options.
        return ProblemServer(
            server.request_handler,
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            loop=server._loop,
            **server._kwargs,
        )


def serve_api(app: web.Application, host: str, port: int) -> None:
    """Run the API until SIGINT/SIGTERM, as ``web.run_app`` would (the same keep-alive and
    shutdown grace, no access log), but through :class:`ApiRunner`."""

    async def main(stop: asyncio.Event) -> None:
        runner = ApiRunner(
            app,
            access_log=None,
            keepalive_timeout=KEEPALIVE_SECONDS,
            shutdown_timeout=SHUTDOWN_SECONDS,
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            await stop.wait()
        finally:
            # Stops listening, lets requests in flight finish, then runs the cleanup contexts.
            await runner.cleanup()

    run_until_signalled(main)
