"""The image formats we accept, told apart by their magic bytes (never by name or header)."""

from __future__ import annotations

JPEG, PNG, WEBP = "JPEG", "PNG", "WEBP"

ALLOWED_CONTENT_TYPES: dict[str, str] = {"image/jpeg": JPEG, "image/png": PNG, "image/webp": WEBP}
EXTENSIONS: dict[str, str] = {".jpg": JPEG, ".jpeg": JPEG, ".png": PNG, ".webp": WEBP}


def sniff_format(data: bytes) -> str | None:
    """``JPEG``/``PNG``/``WEBP`` from the first bytes, or ``None`` for anything else."""
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    return None
