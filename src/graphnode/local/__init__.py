"""GraphNode on one machine with no cloud account and no Docker: embedded backends (moto for
SQS and S3, a MongoDB wire-protocol server, a Chroma server) and the three services as
processes. ``make run`` uses it; the tests and benchmarks use its process helpers."""
