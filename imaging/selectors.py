"""Reads of the imaging app: getting an image from a URL or an upload, checking it, reading a
label. Nothing here writes to the database."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile

from imaging.acquire.decode import DecodedImage, decode_image, read_upload
from imaging.acquire.fetch import fetch_image
from imaging.ocr.engine import read_nutrition_label
from imaging.quality.checks import ALL_CHECKS, WorkingImage, validate_image

VALIDATE_SIDE = 1024  # the checks run on a copy at most this large (JPEG decodes it directly)
OCR_SIDE = 2600


def image_load(*, image_url: str | None = None, upload: UploadedFile | None = None, max_side: int) -> DecodedImage:
    """Decode the caller's image from exactly one of ``image_url`` (SSRF-safe) or ``upload``."""
    if upload is not None:
        return decode_image(data=read_upload(upload=upload), source="upload", max_side=max_side)
    if not image_url:
        raise ValueError("image_url or upload is required")
    fetched = fetch_image(url=image_url)
    return decode_image(data=fetched.data, source="url", max_side=max_side)


def image_validate(
    *, image_url: str | None = None, upload: UploadedFile | None = None, checks: tuple[str, ...] = ALL_CHECKS
) -> dict:
    """``POST /images/validate``: the requested quality checks of one image."""
    img = image_load(image_url=image_url, upload=upload, max_side=VALIDATE_SIDE)
    return validate_image(image=WorkingImage(img.rgb, img.width, img.height), checks=checks)


def label_read(*, image_url: str | None = None, upload: UploadedFile | None = None) -> dict:
    """``POST /images/ocr``: nutrition facts read from a photo of a Korean nutrition label."""
    img = image_load(image_url=image_url, upload=upload, max_side=OCR_SIDE)
    return read_nutrition_label(rgb=img.rgb)
