"""``python -m graphnode.ai``: the AI service (HTTP on GRAPHNODE_AI_PORT + the request queue)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from graphnode.ai.service.app import create_app
from graphnode.entrypoint import load_settings, serve, service_parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = service_parser(
        "python -m graphnode.ai",
        "GraphNode AI service: builds graphs from users' conversations (parse, clean, embed, "
        "cluster, keywords, LLM names, edges, layout, summary), batching many users' work "
        "onto one model. Takes tasks from POST /v1/graphs/generate and the request queue.",
    )
    parser.add_argument("--host", help="overrides GRAPHNODE_AI_HOST")
    parser.add_argument("--port", type=int, help="overrides GRAPHNODE_AI_PORT")
    args = parser.parse_args(argv)
    settings = load_settings(args)
    port = args.port if args.port is not None else settings.ai_port
    serve(create_app(settings, warm_up=True), args.host or settings.ai_host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
