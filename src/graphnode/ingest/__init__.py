"""Reading people's exports: ChatGPT, Claude, plain JSON/JSONL conversations, notes and
markdown, into :class:`~graphnode.ingest.documents.Document` objects.

Shared by the API (imports, stored per user) and the AI service (the input bundle).
"""
