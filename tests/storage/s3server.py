"""A real S3 endpoint for tests: the one CI provides, or a moto server started here.

Reusable from any test folder: `with s3_endpoint() as endpoint: ...` and `fresh_bucket(endpoint)`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

ENDPOINT_ENV = "PLANWRIGHT_TEST_S3_ENDPOINT"


@dataclass(frozen=True)
class S3Endpoint:
    url: str
    region: str = "eu-west-2"
    access_key: str = "testing"
    secret_key: str = "testing"

    def client(self, service: str = "s3") -> Any:
        return boto3.session.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name=self.region,
        ).client(service, endpoint_url=self.url, config=Config(s3={"addressing_style": "path"}))


def _endpoint_from_env() -> S3Endpoint | None:
    url = os.environ.get(ENDPOINT_ENV)
    if not url:
        return None
    return S3Endpoint(
        url=url,
        region=os.environ.get("PLANWRIGHT_TEST_S3_REGION", "eu-west-2"),
        access_key=os.environ.get("PLANWRIGHT_TEST_S3_ACCESS_KEY", "testing"),
        secret_key=os.environ.get("PLANWRIGHT_TEST_S3_SECRET_KEY", "testing"),
    )


@contextlib.contextmanager
def s3_endpoint() -> Iterator[S3Endpoint]:
    """The endpoint named by PLANWRIGHT_TEST_S3_ENDPOINT, else a moto server in a thread of this process."""
    configured = _endpoint_from_env()
    if configured is not None:
        yield configured
        return
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3Endpoint(url=f"http://{host}:{port}")
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def s3_endpoint_process() -> Iterator[S3Endpoint]:
    """Like `s3_endpoint`, but a moto server in its own process: its memory is not ours (benchmarks)."""
    configured = _endpoint_from_env()
    if configured is not None:
        yield configured
        return
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto server did not start")
            time.sleep(0.1)
        yield S3Endpoint(url=f"http://127.0.0.1:{port}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def create_bucket(endpoint: S3Endpoint) -> str:
    name = f"planwright-test-{uuid.uuid4().hex[:16]}"
    endpoint.client().create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": endpoint.region}
    )
    return name


def remove_bucket(endpoint: S3Endpoint, bucket: str) -> None:
    """Abort uploads, delete every object, then the bucket."""
    client = endpoint.client()
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=item["Key"])
    client.delete_bucket(Bucket=bucket)


@contextlib.contextmanager
def fresh_bucket(endpoint: S3Endpoint) -> Iterator[str]:
    bucket = create_bucket(endpoint)
    try:
        yield bucket
    finally:
        remove_bucket(endpoint, bucket)
