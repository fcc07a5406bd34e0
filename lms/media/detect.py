"""What a file really is, judged by its content, never by its name or declared type."""

from __future__ import annotations

import zipfile
from pathlib import Path

#: allowed kinds with their MIME type and file suffix
IMAGE_TYPES = {
    "png": ("image/png", ".png"),
    "jpeg": ("image/jpeg", ".jpg"),
    "gif": ("image/gif", ".gif"),
    "webp": ("image/webp", ".webp"),
}
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", ".pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def sniff_image(head: bytes) -> str | None:
    """``png``, ``jpeg``, ``gif`` or ``webp`` from the first bytes, else None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def sniff_document(path: Path) -> str | None:
    """``pdf``, ``docx``, ``pptx`` or ``xlsx`` from the file's content, else None."""
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in (("word/", "docx"), ("ppt/", "pptx"), ("xl/", "xlsx")):
        if any(name.startswith(prefix) for name in names):
            return kind
    return None


def probe_video(path: Path) -> dict | None:
    """Duration and size of a video stream according to ffprobe, or None if it has none."""
    import ffmpeg

    try:
        info = ffmpeg.probe(str(path))
    except (ffmpeg.Error, FileNotFoundError):
        return None
    video = next((s for s in info.get("streams", []) if s.get("codec_type") == "video"), None)
    if video is None or video.get("disposition", {}).get("attached_pic"):
        return None
    duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    return {
        "duration": duration,
        "width": video.get("width"),
        "height": video.get("height"),
        "codec": video.get("codec_name"),
    }
