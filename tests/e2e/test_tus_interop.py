"""The resumable upload speaks real tus: the tuspy client uploads to a live gunicorn server."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from tusclient import client as tus

from tests.fixtures.courses import make_mp4


def _token(base_url: str) -> str:
    request = urllib.request.Request(
        f"{base_url}/api/v1/tokens",
        data=json.dumps({"login": "pelatih@lentera.test", "password": "lentera-demo"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["token"]


def _media(base_url: str, token: str, public_id: str) -> dict:
    request = urllib.request.Request(
        f"{base_url}/api/v1/media/{public_id}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_tuspy_uploads_a_video_in_chunks_and_resumes(live_server, tmp_path: Path):
    video = make_mp4(tmp_path / "kelas.mp4")
    size = video.stat().st_size
    token = _token(live_server)
    client = tus.TusClient(
        f"{live_server}/api/v1/uploads", headers={"Authorization": f"Bearer {token}"}
    )
    chunk = max(1024, size // 4)
    with video.open("rb") as stream:
        # The first client sends one chunk and stops, as if the connection had dropped.
        first = client.uploader(
            file_stream=stream, chunk_size=chunk, metadata={"filename": "kelas.mp4"}
        )
        first.upload_chunk()
        assert first.offset == chunk
    with video.open("rb") as stream:
        # Another client picks the upload up from its URL: it asks the offset (HEAD), goes on.
        second = client.uploader(file_stream=stream, chunk_size=chunk, url=first.url)
        assert second.offset == chunk
        second.upload()
    assert second.offset == size
    public_id = second.request.response_headers.get("lentera-media-id")
    assert public_id
    status = _media(live_server, token, public_id)
    assert status["status"] in {"uploaded", "processing", "ready"}
