"""Two syncs of the same pair started at the same instant from two connections: exactly one
gets the lock (PostgreSQL: the state row is locked with SELECT … FOR UPDATE)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from commerce.testing.factories import ProductFactory
from core.errors import ApiError
from etl.models import SyncRun
from etl.services.sync import etl_sync_start


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_one_wins(db):
    if connection.vendor != "postgresql":
        pytest.skip("a real race needs two database connections (PostgreSQL run)")
    ProductFactory()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def start() -> None:
        try:
            barrier.wait()
            run = etl_sync_start(actor=None, entity="products", send=False)
            outcomes.append(run.code)
        except ApiError as exc:
            outcomes.append(str(exc.code))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o == "SYNC_IN_PROGRESS" for o in outcomes) == [False, True]
    assert SyncRun.objects.count() == 1
