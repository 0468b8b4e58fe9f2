"""Image helpers for the imaging tests: encode a Pillow image, an endless response body."""

from __future__ import annotations

import io
import time

from PIL import Image


def jpeg_bytes(img: Image.Image, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def png_bytes(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def endless(chunk: bytes = b"\xff" * 65536, delay: float = 0.0):
    def write(wfile: io.BufferedIOBase) -> None:
        wfile.write(b"\xff\xd8\xff\xe0")
        for _ in range(2000):
            wfile.write(chunk)
            if delay:
                time.sleep(delay)

    return write
