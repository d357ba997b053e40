"""The ceiling for bench_api.py: a plain aiohttp handler returning fixed bytes from memory.

``python bench/ceiling_server.py PORT BODY_FILE STATUS``
"""

from __future__ import annotations

import sys
from pathlib import Path

from aiohttp import web


def main() -> None:
    port, body_file, status = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    body = body_file.read_bytes()

    async def handler(_: web.Request) -> web.Response:
        return web.Response(body=body, status=status, content_type="application/json")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    web.run_app(app, host="127.0.0.1", port=port, access_log=None, print=None)


if __name__ == "__main__":
    main()
