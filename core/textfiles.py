"""Text files as Korean offices save them: UTF-8, UTF-8 with a BOM (Excel's "CSV UTF-8") or
CP949/EUC-KR (Excel's plain "CSV" on Korean Windows). :func:`detect_encoding` tells which,
with charset-normalizer for everything that is not valid UTF-8; :func:`to_utf8` re-encodes."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

UTF8_BOM = b"\xef\xbb\xbf"
SAMPLE_BYTES = 256 * 1024
# what a Korean spreadsheet or point-of-sale export is written in; Latin-1 last (reads anything)
CANDIDATES = ["cp949", "euc_kr", "utf_16", "cp1252", "latin_1"]
NORMALISED = {"euc_kr": "cp949", "utf_8": "utf-8", "utf_16": "utf-16"}


def detect_encoding(data: bytes) -> str:
    """``"utf-8-sig"``, ``"utf-8"``, ``"cp949"`` (for EUC-KR too: it is a superset) or another
    Python codec name for the bytes ``data`` (a sample of the file is enough)."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:SAMPLE_BYTES]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3 and len(data) > len(sample):
            return "utf-8"  # a character cut by the sample's end
    best = from_bytes(sample, cp_isolation=CANDIDATES).best()
    if best is None:
        return "cp949"
    return NORMALISED.get(best.encoding, best.encoding)


def detect_file_encoding(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return detect_encoding(fh.read(SAMPLE_BYTES))


def to_utf8(data: bytes) -> tuple[bytes, str]:
    """``data`` re-encoded as UTF-8 without a BOM, and the encoding it was in."""
    encoding = detect_encoding(data)
    text = data.decode(encoding, errors="strict")
    return text.encode("utf-8"), encoding


__all__ = ["detect_encoding", "detect_file_encoding", "to_utf8"]
