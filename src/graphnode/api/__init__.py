"""User-facing HTTP API: imports, graph generation, status, graph, summary, search, viewer."""
