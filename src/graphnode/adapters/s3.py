"""S3 object store: JSON round trips, streamed reads and streamed multipart uploads."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from botocore.exceptions import ClientError

from graphnode.adapters.aws import open_aws_client
from graphnode.adapters.lifecycle import Resource
from graphnode.settings import Settings

log = logging.getLogger("graphnode.s3")

# S3's minimum part size is 5 MiB (except the last part); 8 MiB keeps memory per upload
# bounded while needing at most 1,250 parts for a 10 GiB bundle (S3 allows 10,000).
DEFAULT_PART_SIZE = 8 * 1024 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
DEFAULT_READ_CHUNK = 1024 * 1024


class ObjectNotFoundError(LookupError):
    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"s3://{bucket}/{key} does not exist")
        self.bucket = bucket
        self.key = key


class MultipartWriter:
    """Buffers writes into parts and uploads each part as soon as it is full.

    Nothing is visible in the bucket until :meth:`complete`; :meth:`abort` frees the parts
    S3 already holds (S3 charges for them until then).
    """

    def __init__(
        self, client: Any, bucket: str, key: str, content_type: str, part_size: int
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self._client, self._bucket, self._key = client, bucket, key
        self._content_type, self._part_size = content_type, part_size
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self.bytes_written = 0

    async def write(self, data: bytes) -> None:
        self._buffer += data
        self.bytes_written += len(data)
        while len(self._buffer) >= self._part_size:
            chunk = bytes(self._buffer[: self._part_size])
            del self._buffer[: self._part_size]
            await self._upload_part(chunk)

    async def _upload_part(self, chunk: bytes) -> None:
        if self._upload_id is None:
            created = await self._client.create_multipart_upload(
                Bucket=self._bucket, Key=self._key, ContentType=self._content_type
            )
            self._upload_id = created["UploadId"]
        number = len(self._parts) + 1
        answer = await self._client.upload_part(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=chunk,
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    @property
    def part_count(self) -> int:
        return len(self._parts)

    async def complete(self) -> None:
        if self._upload_id is None:
            # Small enough for one request: a multipart upload would only add round trips.
            await self._client.put_object(
                Bucket=self._bucket,
                Key=self._key,
                Body=bytes(self._buffer),
                ContentType=self._content_type,
            )
            return
        if self._buffer:
            await self._upload_part(bytes(self._buffer))
            self._buffer.clear()
        await self._client.complete_multipart_upload(
            Bucket=self._bucket,
            Key=self._key,
            UploadId=self._upload_id,
            MultipartUpload={"Parts": self._parts},
        )

    async def abort(self) -> None:
        if self._upload_id is not None:
            await self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
            )


class ObjectStore(Resource):
    """One S3 client for one default bucket (each call may name another)."""

    def __init__(self, settings: Settings, *, max_pool_connections: int = 20) -> None:
        super().__init__()
        self._settings = settings
        self._pool = max_pool_connections
        self._client: Any = None
        self.bucket = settings.bucket

    async def _open(self, stack: contextlib.AsyncExitStack) -> None:
        # Path-style addressing: LocalStack and other local endpoints have no per-bucket DNS.
        extra = {"s3": {"addressing_style": "path"}} if self._settings.aws_endpoint_url else {}
        self._client = await open_aws_client(
            stack, "s3", self._settings, max_pool_connections=self._pool, extra_config=extra
        )

    @property
    def client(self) -> Any:
        self._require_open()
        return self._client

    async def put_bytes(
        self,
        key: str,
        data: bytes,
        *,
        content_type: str = "application/octet-stream",
        bucket: str | None = None,
    ) -> None:
        await self.client.put_object(
            Bucket=bucket or self.bucket, Key=key, Body=data, ContentType=content_type
        )

    async def put_json(self, key: str, value: Any, *, bucket: str | None = None) -> None:
        body = orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)
        await self.put_bytes(key, body, content_type="application/json", bucket=bucket)

    async def get_bytes(self, key: str, *, bucket: str | None = None) -> bytes:
        async with self._body(key, bucket) as body:
            return await body.read()

    async def get_json(self, key: str, *, bucket: str | None = None) -> Any:
        return orjson.loads(await self.get_bytes(key, bucket=bucket))

    async def stream(
        self, key: str, *, bucket: str | None = None, chunk_size: int = DEFAULT_READ_CHUNK
    ) -> AsyncIterator[bytes]:
        """Yield the object in chunks, never holding it whole in memory."""
        async with self._body(key, bucket) as body:
            async for chunk in body.iter_chunks(chunk_size):
                yield chunk

    async def exists(self, key: str, *, bucket: str | None = None) -> bool:
        try:
            await self.client.head_object(Bucket=bucket or self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return False
            raise
        return True

    async def list_keys(self, prefix: str, *, bucket: str | None = None) -> list[str]:
        """Every key under ``prefix`` (all pages)."""
        paginator = self.client.get_paginator("list_objects_v2")
        keys: list[str] = []
        async for page in paginator.paginate(Bucket=bucket or self.bucket, Prefix=prefix):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return keys

    async def delete(self, key: str, *, bucket: str | None = None) -> None:
        await self.client.delete_object(Bucket=bucket or self.bucket, Key=key)

    @contextlib.asynccontextmanager
    async def multipart_upload(
        self,
        key: str,
        *,
        content_type: str = "application/octet-stream",
        bucket: str | None = None,
        part_size: int = DEFAULT_PART_SIZE,
    ) -> AsyncIterator[MultipartWriter]:
        """Stream a large object: ``async with store.multipart_upload(key) as w: await w.write(b)``.

        The object appears when the block ends normally; an error aborts the upload.
        """
        writer = MultipartWriter(self.client, bucket or self.bucket, key, content_type, part_size)
        try:
            yield writer
        except BaseException:
            await writer.abort()
            raise
        await writer.complete()
        log.info(
            "uploaded object",
            extra={"key": key, "bytes": writer.bytes_written, "parts": writer.part_count},
        )

    @contextlib.asynccontextmanager
    async def _body(self, key: str, bucket: str | None) -> AsyncIterator[Any]:
        name = bucket or self.bucket
        try:
            answer = await self.client.get_object(Bucket=name, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectNotFoundError(name, key) from exc
            raise
        async with answer["Body"] as body:
            yield body


def _is_missing(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in {"NoSuchKey", "404", "NotFound"}
