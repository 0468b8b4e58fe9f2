"""Bounded decoding: formats by magic bytes, the pixel limit before any decoding, EXIF orientation."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import ErrorCode
from imaging.acquire.decode import decode_image, read_upload
from imaging.errors import FetchFailure, ImageSourceError, ImageTooLarge
from imaging.tests.images import jpeg_bytes, png_bytes


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 60000, height: int = 60000) -> bytes:
    """A PNG whose header claims width×height, with a tiny compressed body (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100_000, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def test_bomb_is_refused_from_the_header_without_decoding(monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ImageSourceError) as exc:
        decode_image(data=png_bomb(), source="upload")
    assert exc.value.details["reason"] == FetchFailure.TOO_MANY_PIXELS
    assert exc.value.code == "INVALID_IMAGE"


def test_pixel_limit_is_a_setting(settings):
    settings.IMAGING_MAX_PIXELS = 100 * 100
    data = png_bytes(Image.new("RGB", (101, 100), "white"))
    with pytest.raises(ImageSourceError) as exc:
        decode_image(data=data, source="url")
    assert exc.value.code == ErrorCode.IMAGE_DOWNLOAD_FAILED
    assert exc.value.details == {"reason": FetchFailure.TOO_MANY_PIXELS, "max_pixels": 10000}
    ok = decode_image(data=png_bytes(Image.new("RGB", (100, 100), "white")), source="url")
    assert (ok.width, ok.height) == (100, 100)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", FetchFailure.UNSUPPORTED_FORMAT),
        (b"BM" + b"\x00" * 60, FetchFailure.UNSUPPORTED_FORMAT),
        (b"%PDF-1.7 ...", FetchFailure.UNSUPPORTED_FORMAT),
        (b"\x00\x00\x00\x18ftypheic", FetchFailure.UNSUPPORTED_FORMAT),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", FetchFailure.UNSUPPORTED_FORMAT),
        (b"", FetchFailure.EMPTY),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 truncated", FetchFailure.CORRUPT),
        (b"\x89PNG\r\n\x1a\n broken", FetchFailure.CORRUPT),
    ],
)
def test_wrong_and_broken_formats(data, reason):
    with pytest.raises(ImageSourceError) as exc:
        decode_image(data=data, source="upload")
    assert exc.value.details["reason"] == reason


def test_truncated_jpeg_is_corrupt():
    data = jpeg_bytes(Image.new("RGB", (300, 300), "red"))
    with pytest.raises(ImageSourceError) as exc:
        decode_image(data=data[: len(data) // 2], source="upload")
    assert exc.value.details["reason"] == FetchFailure.CORRUPT


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (200, 100), "white")
    img.paste((255, 0, 0), (0, 0, 20, 100))  # red stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    decoded = decode_image(data=jpeg_bytes(img, exif=exif.tobytes()), source="upload")
    assert (decoded.width, decoded.height) == (100, 200)
    assert decoded.rgb.shape[:2] == (200, 100)
    assert decoded.rgb[5, 50, 0] > 200 and decoded.rgb[5, 50, 1] < 80  # the stripe is now on top
    assert decoded.orientation == 6


def test_transparency_is_flattened_on_white():
    img = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    decoded = decode_image(data=png_bytes(img), source="upload")
    assert decoded.rgb.min() == 255


def test_webp_is_accepted_and_working_copy_is_reduced():
    buf = io.BytesIO()
    Image.new("RGB", (2000, 1000), "blue").save(buf, "WEBP")
    decoded = decode_image(data=buf.getvalue(), source="upload", max_side=500)
    assert decoded.format == "WEBP" and (decoded.width, decoded.height) == (2000, 1000)
    assert decoded.rgb.shape[:2] == (250, 500)


def test_jpeg_working_copy_uses_dct_scaling():
    data = jpeg_bytes(Image.new("RGB", (4000, 3000), "green"))
    decoded = decode_image(data=data, source="upload", max_side=1024)
    assert (decoded.width, decoded.height) == (4000, 3000)
    assert max(decoded.rgb.shape[:2]) == 1024


@pytest.mark.parametrize(
    ("name", "content_type", "reason"),
    [
        ("p.jpg", "image/png", FetchFailure.FORMAT_MISMATCH),
        ("p.png", "image/jpeg", FetchFailure.FORMAT_MISMATCH),  # extension says PNG
        ("p.jpg", "text/plain", FetchFailure.UNSUPPORTED_FORMAT),
    ],
)
def test_upload_declared_type_and_name_must_agree(name, content_type, reason):
    data = jpeg_bytes(Image.new("RGB", (20, 20), "white"))
    with pytest.raises(ImageSourceError) as exc:
        read_upload(upload=SimpleUploadedFile(name, data, content_type=content_type))
    assert exc.value.details["reason"] == reason


def test_upload_as_octet_stream_is_judged_by_its_bytes():
    data = jpeg_bytes(Image.new("RGB", (20, 20), "white"))
    assert read_upload(upload=SimpleUploadedFile("photo", data, content_type="application/octet-stream")) == data


def test_upload_over_the_byte_limit_is_413(settings):
    settings.IMAGING_MAX_DOWNLOAD_BYTES = 1000
    data = jpeg_bytes(Image.effect_noise((200, 200), 50).convert("RGB"))
    with pytest.raises(ImageTooLarge):
        read_upload(upload=SimpleUploadedFile("p.jpg", data, content_type="image/jpeg"))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_file_is_corrupt_even_when_pillow_accepts_truncation(monkeypatch, fmt):
    """WeasyPrint (reports) sets ImageFile.LOAD_TRUNCATED_IMAGES = True process-wide on import."""
    from io import BytesIO

    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    buf = BytesIO()
    Image.effect_noise((300, 300), 60).convert("RGB").save(buf, format=fmt)
    data = buf.getvalue()
    with pytest.raises(ImageSourceError) as exc:
        decode_image(data=data[: len(data) * 2 // 3], source="upload")
    assert exc.value.details["reason"] == FetchFailure.CORRUPT
    assert decode_image(data=data, source="upload").width == 300
