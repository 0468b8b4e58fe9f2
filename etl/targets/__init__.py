"""Search targets. Every target takes the same documents (``etl.documents``) and offers the
same operations; the sync engine (``etl.services.sync``) drives them batch by batch.

- ``embedded``: a tantivy index on disk under ``SEARCH_INDEX_DIR`` (the default, no server).
- ``elasticsearch`` / ``opensearch``: a server at ``SEARCH_URL`` through the official client.
"""

from __future__ import annotations

import functools
from typing import Protocol

from django.conf import settings

from etl.models import Target


class SearchTarget(Protocol):
    name: str

    def create_index(self, entity: str, index_name: str) -> None: ...

    def open_writer(self, entity: str, index_name: str) -> IndexWriterLike: ...

    def switch_alias(self, entity: str, new_index: str, old_index: str) -> None: ...

    def publish(
        self, entity: str, *, index_name: str, indexed_at: object, document_count: int | None = None
    ) -> None: ...

    def current(self, entity: str) -> dict | None:
        """The live index for readers without a database query, or None (read ``SyncState``)."""

    def drop_index(self, entity: str, index_name: str) -> None: ...

    def count(self, entity: str, index_name: str) -> int: ...

    def ids(self, entity: str, index_name: str) -> list[int]: ...

    def search_products(self, *, index_name: str, params: dict) -> dict: ...


class IndexWriterLike(Protocol):
    def write(self, *, upserts: list[dict], deletes: list[int]) -> None:
        """Send one batch; returns only once the target acknowledged it (durable)."""

    def close(self, *, ok: bool) -> None: ...


def default_target() -> str:
    """The configured default: a server target when ``SEARCH_URL`` is set, else embedded."""
    if settings.SEARCH_URL:
        return settings.SEARCH_BACKEND
    return Target.EMBEDDED


def target_configured(name: str) -> bool:
    if name == Target.EMBEDDED:
        return True
    if not settings.SEARCH_URL or name != settings.SEARCH_BACKEND:
        return False
    if name == Target.OPENSEARCH:
        from .server import opensearch_available

        return opensearch_available()
    return True


def get_target(name: str) -> SearchTarget:
    if name == Target.EMBEDDED:
        from .embedded import EmbeddedTarget

        return EmbeddedTarget()
    return _server_target(name, settings.SEARCH_URL, settings.SEARCH_INDEX_PREFIX)


@functools.lru_cache(maxsize=8)
def _server_target(name: str, url: str, prefix: str) -> SearchTarget:
    """One client (and its connection pool) per process and configuration."""
    from .server import ServerTarget

    return ServerTarget(name)
