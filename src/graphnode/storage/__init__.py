"""Persistence of the user's graph, tasks, devices and vectors: the ports the services use
(``GraphDocumentStore``, ``VectorStore``, ...) and their MongoDB and Chroma implementations.

Every write is an upsert on a deterministic key, so a redelivered message changes nothing.
"""
