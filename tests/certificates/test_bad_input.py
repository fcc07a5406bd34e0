"""Certificate template images on hostile input: a precise Indonesian refusal, never a 500."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from lms.certificates import settings
from lms.core.errors import DomainError


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _claimed_png(width: int, height: int) -> bytes:
    """A few kilobytes of PNG that claim a huge picture (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024 * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("side", [10_000, 30_000, 100_000])
def test_a_decompression_bomb_is_refused_by_its_size(app, side):
    """Past Pillow's ``MAX_IMAGE_PIXELS`` the image was "not readable": it is too large."""
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        settings.check_image(_claimed_png(side, side), "logo")
    assert refused.value.message == "Gambar paling besar 4000 × 4000 piksel."
    assert refused.value.field == "logo"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
         "Gambar harus berformat PNG atau JPEG."),
        (b"GIF89a" + b"\x00" * 20, "Gambar harus berformat PNG atau JPEG."),
        (b"", "Gambar harus berformat PNG atau JPEG."),
        (_png(20, 20)[:60], "Gambar tidak dapat dibaca."),
        (_png(4001, 1), "Gambar paling besar 4000 × 4000 piksel."),
    ],
    ids=["svg-with-script", "gif", "empty", "truncated", "too-wide"],
)  # fmt: skip
def test_other_bad_images_are_named(app, content, message):
    with app.test_request_context(), pytest.raises(DomainError) as refused:
        settings.check_image(content, "signature")
    assert refused.value.message == message
