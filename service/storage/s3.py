"""Encrypted S3 storage through boto3: any S3-compatible store, optionally with SSE-KMS on top.

Uploads stream: sealed bytes go out as multipart parts once they pass one part size, or as a single
PUT for small objects; any failure or an over-limit upload aborts the multipart upload, so no object
and no in-progress upload is left behind. (A bucket lifecycle rule that aborts incomplete multipart
uploads after a day is still worth having, for processes killed outright.) boto3's client is blocking
and thread-safe; its calls run in worker threads.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import anyio.to_thread
import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    NoCredentialsError,
    PartialCredentialsError,
)

from service.storage.crypto import DEFAULT_CHUNK_SIZE, MasterKey
from service.storage.port import (
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    validate_object_key,
)
from service.storage.sealed import RawReader, RawWriter, SealedStorage

MIN_PART_BYTES = 5 * 1024 * 1024
DEFAULT_PART_BYTES = 8 * 1024 * 1024
READ_BLOCK_BYTES = 1024 * 1024
_NOT_FOUND_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def _translate(error: Exception, key: str | None = None) -> StorageError:
    """Turn a botocore error into the port's typed errors."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", "Unknown"))
        if code in _NOT_FOUND_CODES and key is not None:
            return ObjectNotFound(key)
        if code == "NoSuchBucket":
            return StorageUnavailable("S3 bucket not found")
        if code in {"AccessDenied", "403", "Forbidden", "InvalidAccessKeyId", "SignatureDoesNotMatch"}:
            return StorageUnavailable("access to the S3 bucket was denied")
        return StorageError(f"S3 error {code}")
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return StorageUnavailable("no S3 credentials")
    if isinstance(error, ConnectionError | HTTPClientError):
        return StorageUnavailable("cannot reach the S3 endpoint")
    return StorageError(f"S3 client error {type(error).__name__}")


class _MultipartWriter:
    """Buffers sealed bytes up to one part; small objects end as a single PUT."""

    def __init__(self, client: Any, bucket: str, key: str, part_bytes: int, extra: dict[str, str]) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._part_bytes = part_bytes
        self._extra = extra
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._commit_started = False

    def _upload_part(self) -> None:
        if self._upload_id is None:
            created = self._client.create_multipart_upload(Bucket=self._bucket, Key=self._key, **self._extra)
            self._upload_id = created["UploadId"]
        body, self._buffer = bytes(self._buffer), bytearray()
        number = len(self._parts) + 1
        answer = self._client.upload_part(
            Bucket=self._bucket, Key=self._key, UploadId=self._upload_id, PartNumber=number, Body=body
        )
        self._parts.append({"PartNumber": number, "ETag": answer["ETag"]})

    def write(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= self._part_bytes:
            try:
                self._upload_part()
            except (BotoCoreError, ClientError) as error:
                raise _translate(error) from error

    def commit(self) -> None:
        self._commit_started = True
        try:
            if self._upload_id is None:
                self._client.put_object(
                    Bucket=self._bucket, Key=self._key, Body=bytes(self._buffer), **self._extra
                )
                self._buffer = bytearray()
                return
            if self._buffer:
                self._upload_part()
            self._client.complete_multipart_upload(
                Bucket=self._bucket,
                Key=self._key,
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
        except (BotoCoreError, ClientError) as error:
            raise _translate(error) from error

    def abort(self) -> None:
        self._buffer = bytearray()
        # Best effort: the store may be the thing that failed. Errors here must not hide the cause.
        if self._upload_id is not None:
            with contextlib.suppress(BotoCoreError, ClientError):
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._key, UploadId=self._upload_id
                )
        if self._commit_started:
            # The commit may have landed before its answer was lost; keys are never reused, so
            # deleting cannot remove anyone else's object.
            with contextlib.suppress(BotoCoreError, ClientError):
                self._client.delete_object(Bucket=self._bucket, Key=self._key)


class _BodyReader:
    def __init__(self, client: Any, bucket: str, key: str) -> None:
        self._client = client
        self._bucket = bucket
        self._key = key
        self._body: Any = None
        self._blocks: Iterator[bytes] = iter(())

    def read(self) -> bytes:
        try:
            if self._body is None:
                self._body = self._client.get_object(Bucket=self._bucket, Key=self._key)["Body"]
                self._blocks = self._body.iter_chunks(READ_BLOCK_BYTES)
            return next(self._blocks, b"")
        except (BotoCoreError, ClientError) as error:
            raise _translate(error, self._key) from error

    def close(self) -> None:
        if self._body is not None:
            self._body.close()


class S3Storage(SealedStorage):
    """Objects as encrypted S3 objects in one bucket."""

    def __init__(
        self,
        bucket: str,
        master_key: MasterKey,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        sse_kms_key_id: str | None = None,
        part_bytes: int = DEFAULT_PART_BYTES,
        retired_keys: Sequence[MasterKey] = (),
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        super().__init__(master_key, retired_keys=retired_keys, chunk_size=chunk_size)
        if part_bytes < MIN_PART_BYTES:
            raise ValueError(f"S3 multipart parts must be at least {MIN_PART_BYTES} bytes")
        self.bucket = bucket
        self._part_bytes = part_bytes
        self._extra: dict[str, str] = {}
        if sse_kms_key_id:
            self._extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": sse_kms_key_id}
        # Self-hosted S3-compatible stores are usually reached by IP or plain host name: path style.
        s3_options: dict[str, Any] = {"addressing_style": "path"} if endpoint_url else {}
        session = boto3.session.Session(
            aws_access_key_id=access_key, aws_secret_access_key=secret_key, region_name=region
        )

        def client(config: Config) -> Any:
            return session.client("s3", endpoint_url=endpoint_url, config=config)

        self._client = client(
            Config(
                s3=s3_options,
                retries={"max_attempts": 4, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
                max_pool_connections=32,
            )
        )
        # Readiness must answer fast: one attempt, short timeouts.
        self._probe_client = client(
            Config(
                s3=s3_options,
                retries={"max_attempts": 1, "mode": "standard"},
                connect_timeout=2,
                read_timeout=5,
            )
        )

    def _begin_write(self, key: str) -> RawWriter:
        return _MultipartWriter(self._client, self.bucket, key, self._part_bytes, self._extra)

    def _begin_read(self, key: str) -> RawReader:
        return _BodyReader(self._client, self.bucket, key)

    async def delete(self, key: str) -> None:
        validate_object_key(key)

        def remove() -> None:
            try:
                self._client.delete_object(Bucket=self.bucket, Key=key)
            except (BotoCoreError, ClientError) as error:
                translated = _translate(error, key)
                if not isinstance(translated, ObjectNotFound):
                    raise translated from error

        await anyio.to_thread.run_sync(remove)

    async def exists(self, key: str) -> bool:
        validate_object_key(key)

        def head() -> bool:
            try:
                self._client.head_object(Bucket=self.bucket, Key=key)
            except (BotoCoreError, ClientError) as error:
                translated = _translate(error, key)
                if isinstance(translated, ObjectNotFound):
                    return False
                raise translated from error
            return True

        return await anyio.to_thread.run_sync(head)

    async def check(self) -> None:
        def head_bucket() -> None:
            try:
                self._probe_client.head_bucket(Bucket=self.bucket)
            except (BotoCoreError, ClientError) as error:
                translated = _translate(error)
                if isinstance(error, ClientError) and str(error.response.get("Error", {}).get("Code")) in {
                    "404",
                    "NoSuchBucket",
                }:
                    translated = StorageUnavailable("S3 bucket not found")
                if not isinstance(translated, StorageUnavailable):
                    translated = StorageUnavailable(str(translated))
                raise translated from error

        await anyio.to_thread.run_sync(head_bucket)
