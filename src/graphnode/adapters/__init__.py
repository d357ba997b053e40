"""Adapters to the outside world (S3, SQS, MongoDB, Chroma, FCM).

Each is a small class with an explicit lifetime (``open``/``close`` or ``async with``), built
from :class:`graphnode.settings.Settings`, so the same code reaches LocalStack, the local
MongoDB-protocol and Chroma servers in tests and real AWS, MongoDB and Chroma in production.
"""
