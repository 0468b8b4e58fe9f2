"""Getting an image safely: SSRF-safe URL fetch, uploads, bounded decoding."""
