"""``python -m graphnode.api``: the user-facing HTTP API."""

from __future__ import annotations

import ipaddress
import sys
from collections.abc import Sequence

from graphnode.api.app import create_app
from graphnode.api.protocol import serve_api
from graphnode.entrypoint import load_settings, service_parser
from graphnode.settings import DEV_JWT_SECRET


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def main(argv: Sequence[str] | None = None) -> int:
    parser = service_parser(
        "python -m graphnode.api",
        "GraphNode API: imports, graph generation, task status, the graph and its summary, "
        "similarity search, devices, OpenAPI at /openapi.json and the graph viewer at /.",
    )
    parser.add_argument("--host", help="overrides GRAPHNODE_API_HOST")
    parser.add_argument("--port", type=int, help="overrides GRAPHNODE_API_PORT")
    args = parser.parse_args(argv)
    settings = load_settings(args)
    host = args.host or settings.api_host
    if (
        settings.jwt_secret == DEV_JWT_SECRET
        and not settings.jwt_public_key
        and not _is_loopback(host)
    ):
        sys.exit(
            "error: set GRAPHNODE_JWT_SECRET (or GRAPHNODE_JWT_PUBLIC_KEY) before listening "
            f"on {host}: the default secret is public"
        )
    port = args.port if args.port is not None else settings.api_port
    serve_api(create_app(settings), host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
