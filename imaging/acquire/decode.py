"""Bounded decoding: format allow-list, pixel limit checked before any pixel is decoded, EXIF
orientation applied, transparency flattened onto white (how a marketplace shows it)."""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass
from io import BytesIO

import numpy as np
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

from imaging.errors import FetchFailure, ImageSourceError, ImageTooLarge

from .formats import ALLOWED_CONTENT_TYPES, EXTENSIONS, sniff_format


@dataclass(frozen=True)
class DecodedImage:
    """RGB pixels (possibly reduced to ``max_side``) and the true, oriented size of the image."""

    rgb: np.ndarray
    width: int
    height: int
    format: str
    orientation: int

    @property
    def scale(self) -> float:
        """Working pixels per original pixel."""
        return self.rgb.shape[1] / self.width


def _fail(reason: FetchFailure, source: str, **extra: object) -> ImageSourceError:
    return ImageSourceError(reason, source=source, extra=extra or None)


def decode_image(*, data: bytes, source: str, max_side: int | None = None) -> DecodedImage:
    """Decode ``data`` (JPEG/PNG/WebP only) within ``IMAGING_MAX_PIXELS``.

    ``max_side`` reduces the working copy (JPEG uses DCT scaling, so a 12-MP photo is never
    decoded at full size when a smaller one is asked for). ``width``/``height`` stay the
    original's, after EXIF orientation.
    """
    if not data:
        raise _fail(FetchFailure.EMPTY, source)
    real = sniff_format(data)
    if real is None:
        raise _fail(FetchFailure.UNSUPPORTED_FORMAT, source)
    if _truncated(data, real):
        raise _fail(FetchFailure.CORRUPT, source)
    max_pixels = int(settings.IMAGING_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(BytesIO(data), formats=[real])  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _fail(FetchFailure.TOO_MANY_PIXELS, source, max_pixels=max_pixels) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _fail(FetchFailure.CORRUPT, source) from exc
    width, height = img.size
    if width <= 0 or height <= 0:
        raise _fail(FetchFailure.CORRUPT, source)
    if width * height > max_pixels:
        raise _fail(FetchFailure.TOO_MANY_PIXELS, source, max_pixels=max_pixels)
    try:
        orientation = int(img.getexif().get(0x0112, 1) or 1)
    except Exception:  # noqa: BLE001 - a broken EXIF block must not stop the image
        orientation = 1
    if max_side and real == "JPEG" and max(width, height) > max_side:
        f = max_side / max(width, height)
        img.draft("RGB", (math.ceil(width * f), math.ceil(height * f)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img.load()
            img = ImageOps.exif_transpose(img) or img
            img = _to_rgb(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _fail(FetchFailure.TOO_MANY_PIXELS, source, max_pixels=max_pixels) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise _fail(FetchFailure.CORRUPT, source) from exc
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    if max_side and max(img.size) > max_side:
        f = max_side / max(img.size)
        img = img.resize((max(1, round(img.width * f)), max(1, round(img.height * f))), Image.Resampling.BILINEAR)
    return DecodedImage(rgb=np.asarray(img), width=width, height=height, format=real, orientation=orientation)


def _truncated(data: bytes, real: str) -> bool:
    """The file stops before its format's end marker.

    Checked here because Pillow's own check is a process-wide switch that other libraries
    turn off on import (WeasyPrint sets ``ImageFile.LOAD_TRUNCATED_IMAGES = True``), after
    which a half-sent JPEG decodes into a grey lower half instead of failing.
    """
    if real == "JPEG":
        # the last end-of-image marker follows the last start-of-scan (an EXIF thumbnail has its own EOI)
        return data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda")
    if real == "PNG":
        return data.rfind(b"IEND") == -1
    if real == "WEBP":
        return len(data) < 12 or int.from_bytes(data[4:8], "little") + 8 > len(data)
    return False


def _to_rgb(img: Image.Image) -> Image.Image:
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if img.mode.startswith("I;16") or img.mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = float(arr.max()) if arr.size else 0.0
        if top > 255:
            arr = arr * (255.0 / top)
        img = Image.fromarray(arr.clip(0, 255).astype(np.uint8))
    return img.convert("RGB")


def read_upload(*, upload: UploadedFile) -> bytes:
    """The bytes of an uploaded image, refused when too large or declared as something else."""
    limit = int(settings.IMAGING_MAX_DOWNLOAD_BYTES)
    if upload.size is not None and upload.size > limit:
        raise ImageTooLarge(limit=limit)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImageTooLarge(limit=limit)
    if not data:
        raise _fail(FetchFailure.EMPTY, "upload")
    real = sniff_format(data)
    if real is None:
        raise _fail(FetchFailure.UNSUPPORTED_FORMAT, "upload")
    declared = (upload.content_type or "").split(";", 1)[0].strip().lower()
    # phones and some clients send octet-stream: then the bytes decide; any other declared type must agree
    if declared and declared != "application/octet-stream":
        if declared not in ALLOWED_CONTENT_TYPES:
            raise _fail(FetchFailure.UNSUPPORTED_FORMAT, "upload")
        if ALLOWED_CONTENT_TYPES[declared] != real:
            raise _fail(FetchFailure.FORMAT_MISMATCH, "upload")
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext in EXTENSIONS and EXTENSIONS[ext] != real:
        raise _fail(FetchFailure.FORMAT_MISMATCH, "upload")
    return data
