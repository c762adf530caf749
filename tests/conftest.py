"""Test configuration: the service on a fresh database per run, with real migrations, and a real broker and store.

Embedded profile (default): a SQLite file, the stub broker, encrypted local storage.
Services profile, chosen by environment variables (CI runs both):
  PLANWRIGHT_TEST_POSTGRES_URL  a PostgreSQL server URL; a fresh database is created for the run and dropped after
  PLANWRIGHT_TEST_BROKER_URL    amqp://... or redis://...
  PLANWRIGHT_TEST_S3_ENDPOINT   an S3 endpoint (CI starts moto's server); documents are stored there
"""

from __future__ import annotations

import base64
import os
import tempfile
import uuid
from pathlib import Path

_run_dir = Path(tempfile.mkdtemp(prefix="planwright-test-"))
_pg_server = os.environ.get("PLANWRIGHT_TEST_POSTGRES_URL")
TEST_DATABASE_NAME = f"planwright_test_{uuid.uuid4().hex[:10]}"

os.environ.update({
    "PLANWRIGHT_ENVIRONMENT": "test",
    "PLANWRIGHT_DATABASE_URL": (
        f"{_pg_server.rsplit('/', 1)[0]}/{TEST_DATABASE_NAME}" if _pg_server else f"sqlite://{_run_dir}/test.sqlite3"
    ),
    "PLANWRIGHT_BROKER_URL": os.environ.get("PLANWRIGHT_TEST_BROKER_URL", "stub://"),
    "PLANWRIGHT_QUEUE_NAME": f"planwright-test-{uuid.uuid4().hex[:10]}",
    "PLANWRIGHT_STORAGE_DIR": str(_run_dir / "storage"),
    "PLANWRIGHT_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
    "PLANWRIGHT_LOG_FORMAT": "console",
    "PLANWRIGHT_LOG_LEVEL": "warning",
})
if os.environ.get("PLANWRIGHT_TEST_S3_ENDPOINT"):
    os.environ.update({
        "PLANWRIGHT_STORAGE": "s3",
        "PLANWRIGHT_S3_ENDPOINT_URL": os.environ["PLANWRIGHT_TEST_S3_ENDPOINT"],
        "PLANWRIGHT_S3_BUCKET": f"planwright-test-{uuid.uuid4().hex[:10]}",
        "PLANWRIGHT_S3_ACCESS_KEY_ID": os.environ.get("PLANWRIGHT_TEST_S3_ACCESS_KEY", "testing"),
        "PLANWRIGHT_S3_SECRET_ACCESS_KEY": os.environ.get("PLANWRIGHT_TEST_S3_SECRET_KEY", "testing"),
    })
for _name in ("PLANWRIGHT_S3_KMS_KEY_ID", "PLANWRIGHT_EMBEDDED_WORKER"):
    os.environ.pop(_name, None)

PG_SERVER_URL = _pg_server
pytest_plugins = ["tests.service_fixtures"]
