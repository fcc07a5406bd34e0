"""Media fixtures: a real S3 API (moto in server mode) and the app switched to it per test."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.fixtures.storage import S3Bucket, s3_client

#: the settings the ``s3`` fixture replaces, restored after each test
S3_SETTINGS = {
    "S3_REGION": "us-east-1",
    "S3_PREFIX": "lentera",
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
    "S3_MULTIPART_MB": 16,
    "S3_URL_EXPIRES_SECONDS": 300,
}


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """The URL of a real S3 API server (moto) on a free local port, for the whole run."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(app: Flask, moto_endpoint: str) -> Iterator[S3Bucket]:
    """The app stores media in a fresh bucket of the moto server during this test.

    Any ``S3_*`` setting a test changes on top is restored afterwards as well.
    """
    client = s3_client(moto_endpoint)
    name = f"lentera-{secrets.token_hex(6)}"
    client.create_bucket(Bucket=name)
    values = {**S3_SETTINGS, "S3_BUCKET": name, "S3_ENDPOINT_URL": moto_endpoint}
    saved = {key: app.config.get(key) for key in values}
    app.config.update(values)
    try:
        yield S3Bucket(client, name, S3_SETTINGS["S3_PREFIX"], moto_endpoint)
    finally:
        app.config.update(saved)
        app.extensions.pop("lms_storage", None)  # drop the clients of this test's bucket
