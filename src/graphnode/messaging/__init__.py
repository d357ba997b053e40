"""Consuming an SQS queue of contract messages: long polls, bounded concurrency, visibility
heartbeats, batched deletes, retries with backoff, and dead letters with a reason.

The worker consumes the result queue with it and the AI service the request queue.
"""
