"""S3 adapter specifics, over HTTP: multipart versus single PUT, SSE-KMS, an endpoint that is down."""

from __future__ import annotations

import random

import pytest

from service.storage import MasterKey, S3Storage, StorageUnavailable, new_object_key
from service.storage.s3 import MIN_PART_BYTES
from tests.storage.s3server import S3Endpoint, free_port

MIB = 1024 * 1024


def adapter(endpoint: S3Endpoint, bucket: str, master_key: MasterKey, **options: object) -> S3Storage:
    return S3Storage(
        bucket,
        master_key,
        endpoint_url=endpoint.url,
        region=endpoint.region,
        access_key=endpoint.access_key,
        secret_key=endpoint.secret_key,
        part_bytes=MIN_PART_BYTES,
        **options,  # type: ignore[arg-type]
    )


async def test_large_objects_go_up_in_parts_and_small_ones_in_one_put(
    s3_server: S3Endpoint, s3_bucket: str, master_key: MasterKey
) -> None:
    storage = adapter(s3_server, s3_bucket, master_key)
    client = s3_server.client()
    large, small = new_object_key("tests"), new_object_key("tests")

    await storage.put_bytes(large, random.Random(1).randbytes(11 * MIB))
    await storage.put_bytes(small, b"front sheet")

    # A multipart object's ETag ends in "-<number of parts>".
    large_etag = client.head_object(Bucket=s3_bucket, Key=large)["ETag"].strip('"')
    assert int(large_etag.rsplit("-", 1)[1]) >= 2
    assert "-" not in client.head_object(Bucket=s3_bucket, Key=small)["ETag"]


@pytest.mark.parametrize("size", [1000, 7 * MIB])
async def test_sse_kms_is_requested_when_a_kms_key_is_configured(
    s3_server: S3Endpoint, s3_bucket: str, master_key: MasterKey, size: int
) -> None:
    try:
        kms_key = s3_server.client("kms").create_key(Description="planwright test")["KeyMetadata"]["Arn"]
    except Exception as error:  # an S3-only endpoint from CI has no KMS
        pytest.skip(f"no KMS on this endpoint: {type(error).__name__}")
    storage = adapter(s3_server, s3_bucket, master_key, sse_kms_key_id=kms_key)
    object_key = new_object_key("tests")
    data = random.Random(size).randbytes(size)

    await storage.put_bytes(object_key, data)

    head = s3_server.client().head_object(Bucket=s3_bucket, Key=object_key)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == kms_key
    assert await storage.read_bytes(object_key) == data


async def test_uploading_to_an_endpoint_that_is_down_is_storage_unavailable(master_key: MasterKey) -> None:
    storage = S3Storage(
        "planwright-nowhere",
        master_key,
        endpoint_url=f"http://127.0.0.1:{free_port()}",
        region="eu-west-2",
        access_key="testing",
        secret_key="testing",
    )
    with pytest.raises(StorageUnavailable):
        await storage.put_bytes(new_object_key("tests"), b"x")
    with pytest.raises(StorageUnavailable):
        await storage.exists(new_object_key("tests"))
