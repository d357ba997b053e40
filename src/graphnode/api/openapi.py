"""The API's OpenAPI 3.1 document. The paths are written here; every body's schema is
generated from the model the view parses it with or answers with (``api.bodies``). Kept true
by a test that runs a schema-driven fuzzer (schemathesis) against the live app."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from graphnode.api.bodies import REQUEST_BODIES, RESPONSE_BODIES
from graphnode.settings import Settings

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _problems(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": "A problem a person can act on",
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
        for status in statuses
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def component_schemas() -> dict[str, Any]:
    """Every body's schema, generated from its model (``api.bodies``): requests as they are
    validated, responses as they are written."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [
        (model, "validation") for model in REQUEST_BODIES
    ]
    models += [(model, "serialization") for model in RESPONSE_BODIES]
    _, document = models_json_schema(
        models,
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    return dict(document.get("$defs", {}))


AUTH = [{"bearer": []}]


def _paths() -> dict[str, Any]:
    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
    upload = {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {}},
        }
    }
    return {
        "/v1/imports": {
            "post": {
                "summary": "Import an export (ChatGPT/Claude .zip or conversations.json, JSONL, "
                "notes.json, markdown)",
                "security": AUTH,
                "requestBody": upload,
                "parameters": [{"name": "filename", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "201": _json(_ref("ImportSummary"), "Stored"),
                    "200": _json(_ref("ImportSummary"), "Nothing new"),
                    **_problems(400, 401, 413, 422),
                },
            }
        },
        "/v1/graphs/generate": {
            "post": {
                "summary": "Start building the user's graph",
                "security": AUTH,
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("GenerationOptions")}},
                },
                "responses": {
                    "202": _json(_ref("Accepted"), "Started"),
                    **_problems(401, 409, 413, 422, 429, 503),
                },
            }
        },
        "/v1/graphs/me": {
            "get": {
                "summary": "The user's graph",
                "security": AUTH,
                "responses": {"200": _json(_ref("Graph"), "The graph"), **_problems(401)},
            }
        },
        "/v1/graphs/me/summary": {
            "get": {
                "summary": "The user's interest summary",
                "security": AUTH,
                "responses": {"200": _json(_ref("Summary"), "The summary"), **_problems(401, 404)},
            },
            "post": {
                "summary": "Ask for a new summary of the stored graph",
                "security": AUTH,
                "requestBody": {
                    "required": False,
                    "content": {"application/json": {"schema": _ref("SummaryRequest")}},
                },
                "responses": {
                    "202": _json(_ref("Accepted"), "Started"),
                    **_problems(401, 409, 413, 422, 429, 503),
                },
            },
        },
        "/v1/graphs/me/search": {
            "post": {
                "summary": "Nodes nearest to a query",
                "security": AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("SearchRequest")}},
                },
                "responses": {
                    "200": _json(_ref("SearchResults"), "Nearest nodes"),
                    **_problems(401, 413, 422, 503),
                },
            }
        },
        "/v1/graphs/me/nodes": {
            "post": {
                "summary": "Add conversations to the existing graph without rebuilding it",
                "security": AUTH,
                "requestBody": upload,
                "parameters": [{"name": "filename", "in": "query", "schema": {"type": "string"}}],
                "responses": {
                    "202": _json(_ref("AcceptedImport"), "Started"),
                    **_problems(400, 401, 409, 413, 422, 503),
                },
            }
        },
        "/v1/graphs/me/nodes/{node_id}": {
            "get": {
                "summary": "One node opened: its item, cluster, subcluster and neighbours",
                "security": AUTH,
                "parameters": [
                    {
                        "name": "node_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
                    }
                ],
                "responses": {
                    "200": _json(_ref("NodeDetail"), "The node"),
                    **_problems(401, 404),
                },
            }
        },
        "/v1/graphs/me/export": {
            "get": {
                "summary": "The graph for other tools, streamed as a download: GraphML or GEXF "
                "(Gephi, Cytoscape, networkx), JSON (graph and summary), or an Obsidian vault "
                "(a zip of Markdown notes)",
                "security": AUTH,
                "parameters": [
                    {
                        "name": "format",
                        "in": "query",
                        "required": False,
                        "schema": {
                            "type": "string",
                            "enum": ["graphml", "gexf", "json", "obsidian"],
                            "default": "json",
                        },
                    }
                ],
                "responses": {
                    "200": {
                        "description": "The export, as an attachment",
                        "content": {
                            "application/graphml+xml": {"schema": {"type": "string"}},
                            "application/gexf+xml": {"schema": {"type": "string"}},
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["graph", "summary"],
                                    "properties": {
                                        "graph": _ref("Graph"),
                                        "summary": {"anyOf": [_ref("Summary"), {"type": "null"}]},
                                    },
                                }
                            },
                            "application/zip": {"schema": {"type": "string", "format": "binary"}},
                        },
                    },
                    **_problems(400, 401, 404),
                },
            }
        },
        "/v1/tasks/{task_id}": {
            "get": {
                "summary": "A task's status",
                "security": AUTH,
                "parameters": [task_id],
                "responses": {"200": _json(_ref("Task"), "The task"), **_problems(401, 404)},
            }
        },
        "/v1/tasks/{task_id}/events": {
            "get": {
                "summary": "Server-sent events while the task runs",
                "security": AUTH,
                "parameters": [task_id],
                "responses": {
                    "200": {
                        "description": "progress, done and timeout events",
                        # Events named progress, done or timeout, each with the task (as
                        # GET /v1/tasks/{id} returns it) as JSON in ``data``; OpenAPI 3.1 has
                        # no schema for an event stream, so none is claimed.
                        "content": {"text/event-stream": {}},
                    },
                    **_problems(401, 404),
                },
            }
        },
        "/v1/devices": {
            "post": {
                "summary": "Register a device's FCM token",
                "security": AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Device")}},
                },
                "responses": {
                    "201": _json(_ref("Registered"), "Registered"),
                    **_problems(401, 413, 422),
                },
            },
            "delete": {
                "summary": "Forget a device's FCM token",
                "security": AUTH,
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("Device")}},
                },
                "responses": {
                    "200": _json(_ref("Removed"), "Removed"),
                    **_problems(401, 413, 422),
                },
            },
        },
        "/v1/conversations/{conversation_id}": {
            "delete": {
                "summary": "Remove one imported conversation or note (by its source id) and, at "
                "once, its node, edges and vector from the graph",
                "description": "The stored summary stops naming the item at once: its title "
                "leaves the representative titles, each sentence quoting it leaves the prose, "
                "and sizes, shares and counts are those of the graph now. A new summary "
                "(POST /v1/graphs/me/summary) is written from the graph as stored.",
                "security": AUTH,
                "parameters": [
                    {
                        "name": "conversation_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": 512},
                    }
                ],
                "responses": {
                    "200": _json(_ref("RemovedConversation"), "What was removed"),
                    **_problems(401, 404, 409),
                },
            }
        },
        "/v1/me": {
            "delete": {
                "summary": "Remove every trace of the user (conversations, graph, summary, "
                "tasks, devices, vectors, files), as a task; follow it at /v1/tasks/{id}",
                "security": AUTH,
                "responses": {
                    "202": _json(_ref("Accepted"), "The deletion task"),
                    **_problems(401, 503),
                },
            }
        },
        "/healthz": {
            "get": {"summary": "Liveness", "responses": {"200": _json({"type": "object"}, "Alive")}}
        },
        "/readyz": {
            "get": {
                "summary": "Readiness (MongoDB reachable)",
                "responses": {
                    "200": _json({"type": "object"}, "Ready"),
                    "503": _json({"type": "object"}, "Not"),
                },
            }
        },
    }


def openapi_document(settings: Settings) -> dict[str, Any]:
    server = settings.api_public_url or f"http://{settings.api_host}:{settings.api_port}"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GraphNode API",
            "version": "1.0.0",
            "description": "Turn your AI chat history into a knowledge graph.",
        },
        "servers": [{"url": server}],
        "paths": _paths(),
        "components": {
            "schemas": component_schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
