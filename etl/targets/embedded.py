"""The embedded target: a tantivy index per (entity, build) under ``SEARCH_INDEX_DIR``.

``<SEARCH_INDEX_DIR>/<entity>/<index_name>/`` holds one index. The alias is the pointer file
``<SEARCH_INDEX_DIR>/<entity>/CURRENT`` (live index name, ``indexed_at``, document count),
replaced atomically (``os.replace``) when a full rebuild is complete and after every
acknowledged batch; ``SyncState`` keeps the same values for the admin and the cursor. A reader
(any process) stats the pointer, opens the directory it names and reloads the index when its
``meta.json`` changed, so every search sees one committed state; a half-built index is never
named there. No database query on the search path.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import tantivy
from django.conf import settings

from etl.analysis import analyse_batch
from etl.models import Entity

WRITER_HEAP = 128_000_000
_readers: dict[str, tuple[tantivy.Index, float]] = {}
_readers_lock = threading.Lock()
_pointers: dict[str, tuple[tuple[int, int], dict]] = {}
POINTER = "CURRENT"


def schema_for(entity: str) -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    if entity == Entity.PRODUCTS:
        b.add_integer_field("product_id", stored=False, indexed=True, fast=True)
        b.add_integer_field("category_id", indexed=True, fast=True)
        b.add_float_field("price", indexed=True, fast=True)
        b.add_float_field("rating_average", fast=True)
        b.add_integer_field("review_count", fast=True)
        b.add_integer_field("created_ts", fast=True)
    else:
        b.add_integer_field("order_id", stored=False, indexed=True, fast=True)
        b.add_integer_field("buyer_id", indexed=True, fast=True)
        b.add_text_field("status", tokenizer_name="raw", index_option="basic")
        b.add_float_field("total", indexed=True, fast=True)
        b.add_integer_field("created_ts", fast=True)
    b.add_text_field("morph", tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("bigram", tokenizer_name="whitespace", index_option="freq")
    b.add_bytes_field("source", stored=True)
    return b.build()


def searchable_text(entity: str, doc: dict) -> str:
    if entity == Entity.PRODUCTS:
        return f"{doc['product_name']} {doc['category_name']} {doc['product_name_en']}"
    return " ".join(doc["product_names"])


def _ts(iso: str | None) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(iso).timestamp()) if iso else 0


def to_tantivy(entity: str, docs: list[dict]) -> list[tantivy.Document]:
    analysed = analyse_batch([searchable_text(entity, d) for d in docs])
    out = []
    for doc, a in zip(docs, analysed, strict=True):
        t = tantivy.Document()
        if entity == Entity.PRODUCTS:
            t.add_integer("product_id", doc["product_id"])
            t.add_integer("category_id", doc["category_id"])
            t.add_float("price", doc["price"])
            t.add_float("rating_average", doc["rating_average"] or 0.0)
            t.add_integer("review_count", doc["review_count"])
        else:
            t.add_integer("order_id", doc["order_id"])
            t.add_integer("buyer_id", doc["buyer_id"])
            t.add_text("status", doc["status"])
            t.add_float("total", doc["total"])
        t.add_integer("created_ts", _ts(doc["created_at"]))
        t.add_text("morph", " ".join(a.morph))
        t.add_text("bigram", " ".join(a.bigram))
        t.add_bytes("source", json.dumps(doc, ensure_ascii=False).encode())
        out.append(t)
    return out


def key_field(entity: str) -> str:
    return "product_id" if entity == Entity.PRODUCTS else "order_id"


def index_path(entity: str, index_name: str) -> Path:
    return Path(settings.SEARCH_INDEX_DIR) / entity / index_name


def reader(entity: str, index_name: str) -> tantivy.Index:
    """A per-process reader of a committed index, reloaded when a writer committed since."""
    path = index_path(entity, index_name)
    meta = path / "meta.json"
    mtime = meta.stat().st_mtime_ns
    key = str(path)
    with _readers_lock:
        cached = _readers.get(key)
        if cached is None:
            index = tantivy.Index(schema_for(entity), path=key, reuse=True)
            _readers[key] = (index, mtime)
            return index
        index, seen = cached
        if seen != mtime:
            index.reload()
            _readers[key] = (index, mtime)
        return index


class EmbeddedWriter:
    """One tantivy writer for a run; each ``write`` is a commit (the acknowledgement)."""

    def __init__(self, entity: str, index_name: str) -> None:
        self.entity = entity
        self.key = key_field(entity)
        self.index = tantivy.Index(schema_for(entity), path=str(index_path(entity, index_name)), reuse=True)
        self._writer: tantivy.IndexWriter | None = self.index.writer(WRITER_HEAP, 1)

    def write(self, *, upserts: list[dict], deletes: list[int]) -> list[dict]:
        """Delete and (re)add, then commit: returns the failed records (none here: a document
        tantivy refuses fails the whole commit)."""
        assert self._writer is not None
        for object_id in deletes:
            self._writer.delete_documents_by_term(self.key, object_id)
        if upserts:
            for doc in upserts:
                self._writer.delete_documents_by_term(self.key, doc[self.key])
            for tdoc in to_tantivy(self.entity, upserts):
                self._writer.add_document(tdoc)
        self._writer.commit()
        return []

    def close(self, *, ok: bool) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        if not ok:
            writer.rollback()
        else:
            writer.wait_merging_threads()


class EmbeddedTarget:
    name = "embedded"

    def create_index(self, entity: str, index_name: str) -> None:
        path = index_path(entity, index_name)
        path.mkdir(parents=True, exist_ok=True)
        tantivy.Index(schema_for(entity), path=str(path), reuse=True)

    def open_writer(self, entity: str, index_name: str) -> EmbeddedWriter:
        return EmbeddedWriter(entity, index_name)

    def switch_alias(self, entity: str, new_index: str, old_index: str) -> None:
        """The switch is :meth:`publish` with the new name (one ``os.replace``)."""

    def publish(
        self, entity: str, *, index_name: str, indexed_at: dt.datetime | None, document_count: int | None = None
    ) -> None:
        """Point readers at ``index_name`` (atomically replace the pointer file)."""
        root = Path(settings.SEARCH_INDEX_DIR) / entity
        root.mkdir(parents=True, exist_ok=True)
        previous = self.current(entity) or {}
        if document_count is None and previous.get("index_name") == index_name:
            document_count = previous.get("document_count")
        body = {
            "index_name": index_name,
            "indexed_at": indexed_at.isoformat() if indexed_at else None,
            "document_count": document_count,
        }
        fd, tmp = tempfile.mkstemp(dir=root, prefix=".current-")
        with os.fdopen(fd, "w") as f:
            json.dump(body, f)
        os.replace(tmp, root / POINTER)

    def current(self, entity: str) -> dict | None:
        """The live index as the pointer file names it (cached until the file changes)."""
        path = Path(settings.SEARCH_INDEX_DIR) / entity / POINTER
        try:
            st = path.stat()
        except FileNotFoundError:
            return None
        key, stamp = str(path), (st.st_mtime_ns, st.st_ino)
        cached = _pointers.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        body = json.loads(path.read_text())
        body["indexed_at"] = dt.datetime.fromisoformat(body["indexed_at"]) if body["indexed_at"] else None
        _pointers[key] = (stamp, body)
        return body

    def drop_index(self, entity: str, index_name: str) -> None:
        shutil.rmtree(index_path(entity, index_name), ignore_errors=True)
        with _readers_lock:
            _readers.pop(str(index_path(entity, index_name)), None)

    def list_indexes(self, entity: str) -> list[str]:
        root = Path(settings.SEARCH_INDEX_DIR) / entity
        return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []

    def exists(self, entity: str, index_name: str) -> bool:
        return (index_path(entity, index_name) / "meta.json").exists()

    def count(self, entity: str, index_name: str) -> int:
        return reader(entity, index_name).searcher().num_docs

    def documents(self, entity: str, index_name: str) -> list[dict]:
        """Every document (tests, checks): the stored source of each."""
        index = reader(entity, index_name)
        searcher = index.searcher()
        n = searcher.num_docs
        if not n:
            return []
        hits = searcher.search(tantivy.Query.all_query(), limit=n).hits
        return [json.loads(bytes(searcher.doc(addr)["source"][0])) for _, addr in hits]

    def ids(self, entity: str, index_name: str) -> list[int]:
        key = key_field(entity)
        return sorted(d[key] for d in self.documents(entity, index_name))

    def search_products(self, *, index_name: str, params: dict) -> dict:
        from .embedded_search import search_products

        return search_products(reader(Entity.PRODUCTS, index_name), params)
