"""A reader in another process (a second web worker) sees each committed state of the index:
the first build, then an incremental batch, then a new index after a full rebuild."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from commerce.testing.factories import ProductFactory

from .helpers import start_sync

pytestmark = pytest.mark.django_db

READER = """
import json, os, sys
import django
django.setup()
from etl.targets.embedded import EmbeddedTarget, reader
from etl.targets.embedded_search import search_products
target = EmbeddedTarget()
for line in sys.stdin:
    current = target.current("products")
    found = search_products(reader("products", current["index_name"]), {"q": line.strip(), "page": 1, "size": 20})
    print(json.dumps({"index": current["index_name"], "ids": sorted(p["product_id"] for p in found["products"])}))
    sys.stdout.flush()
"""


def test_another_process_sees_every_committed_state(catalog, api_client_for, django_capture_on_commit_callbacks):
    admin = api_client_for("ADMIN")
    start_sync(admin, django_capture_on_commit_callbacks, entity="products")
    env = {
        **os.environ,
        "SEARCH_INDEX_DIR": str(settings.SEARCH_INDEX_DIR),
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.pop("DATABASE_URL", None)  # the reader needs no database
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", READER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=Path(settings.BASE_DIR),
    )

    def ask(q: str) -> dict:
        proc.stdin.write(q + "\n")
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    try:
        first = ask("고추장")
        assert first["ids"] == [catalog["gochujang"].pk]
        added = ProductFactory(name="순창 찹쌀고추장 1kg", category=catalog["categories"]["sauce"])
        start_sync(admin, django_capture_on_commit_callbacks, entity="products")
        second = ask("고추장")
        assert second == {"index": first["index"], "ids": sorted([catalog["gochujang"].pk, added.pk])}
        start_sync(admin, django_capture_on_commit_callbacks, entity="products", mode="full")
        third = ask("고추장")
        assert third["index"] != first["index"] and third["ids"] == second["ids"]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
