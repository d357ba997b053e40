"""The API's OpenAPI 3.1 document. Kept true by a test that runs a schema-driven fuzzer
(schemathesis) against the live app: every response must match what is written here."""

from __future__ import annotations

from typing import Any

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


NULLABLE_STRING = {"type": ["string", "null"]}
SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "required": ["title", "status", "detail"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
        },
    },
    "ImportSummary": {
        "type": "object",
        "required": ["new", "updated", "skipped", "rejected", "files"],
        "properties": {
            "new": {"type": "integer"},
            "updated": {"type": "integer"},
            "skipped": {"type": "integer"},
            "rejected": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"reason": {"type": "string"}, "count": {"type": "integer"}},
                },
            },
            "files": {"type": "array", "items": {"type": "object"}},
        },
    },
    "GenerateOptions": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "includeSummary": {"type": "boolean"},
            "language": {"type": "string"},
            "summaryLanguage": {"type": "string"},
            "minClusters": {"type": "integer", "minimum": 1},
            "maxClusters": {"type": "integer", "minimum": 1},
        },
    },
    "Accepted": {
        "type": "object",
        "required": ["taskId", "status"],
        "properties": {"taskId": {"type": "string"}, "status": {"const": "PENDING"}},
    },
    "Task": {
        "type": "object",
        "required": ["taskId", "status"],
        "properties": {
            "taskId": {"type": "string"},
            "type": NULLABLE_STRING,
            "status": {"enum": ["PENDING", "RUNNING", "COMPLETED", "FAILED"]},
            "stage": NULLABLE_STRING,
            "progressPercent": {"type": "number"},
            "etaSeconds": {"type": ["number", "null"]},
            "error": NULLABLE_STRING,
            "errorCode": NULLABLE_STRING,
            "createdAt": NULLABLE_STRING,
            "updatedAt": NULLABLE_STRING,
            "finishedAt": NULLABLE_STRING,
        },
    },
    "Graph": {
        "type": "object",
        "required": ["userId", "status", "stats", "nodes", "edges", "clusters", "subclusters"],
        "properties": {
            "userId": {"type": "string"},
            "status": {"enum": ["NOT_CREATED", "CREATING", "CREATED", "UPDATING", "UPDATED"]},
            "generatedAt": NULLABLE_STRING,
            "runningTaskId": NULLABLE_STRING,
            "stats": {"type": "object"},
            "nodes": {"type": "array", "items": _ref("Node")},
            "edges": {
                "type": "array",
                "items": {"type": "object", "required": ["source", "target"]},
            },
            "clusters": {"type": "array", "items": {"type": "object"}},
            "subclusters": {"type": "array", "items": {"type": "object"}},
        },
    },
    "Node": {
        "type": "object",
        "required": ["id", "origId", "title", "clusterId"],
        "properties": {
            "id": {"type": "integer"},
            "origId": {"type": "string"},
            "title": {"type": "string"},
            "clusterId": NULLABLE_STRING,
            "x": {"type": ["number", "null"]},
            "y": {"type": ["number", "null"]},
            "keywords": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Summary": {
        "type": "object",
        "required": ["generatedAt", "summary"],
        "properties": {
            "generatedAt": {"type": "string"},
            "taskId": NULLABLE_STRING,
            "summary": {"type": "object"},
        },
    },
    "SearchRequest": {
        "type": "object",
        "required": ["query"],
        "properties": {
            "query": {"type": "string", "minLength": 1, "maxLength": 2000},
            "limit": {"type": "integer", "minimum": 1, "maximum": 50},
        },
    },
    "SearchResults": {
        "type": "object",
        "required": ["query", "results"],
        "properties": {
            "query": {"type": "string"},
            "results": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"score": {"type": "number"}, "node": _ref("Node")},
                },
            },
        },
    },
    "Device": {
        "type": "object",
        "required": ["token"],
        "properties": {
            "token": {"type": "string", "minLength": 1, "maxLength": 4096},
            "platform": {"enum": ["android", "ios", "web"]},
        },
    },
}

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
                    "content": {"application/json": {"schema": _ref("GenerateOptions")}},
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
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"language": {"type": "string"}},
                            }
                        }
                    },
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
                    "202": _json({"type": "object", "required": ["taskId", "status"]}, "Started"),
                    **_problems(400, 401, 409, 413, 422, 503),
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
                        "content": {"text/event-stream": {"schema": {"type": "string"}}},
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
                    "201": _json({"type": "object"}, "Registered"),
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
                    "200": _json({"type": "object"}, "Removed"),
                    **_problems(401, 413, 422),
                },
            },
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
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
