"""Locust load profile of ``manage.py bench_load`` (make bench): the API as managers and staff use it.

Parameters come from the JSON file named by ``LOAD_PARAMS`` (tokens per role, subject
customer ids, search terms), written by the command. Each simulated user calls, by weight:
customer detail as STAFF and as ADMIN, customer search as STAFF, customer analytics as MANAGER
and the shop dashboard as MANAGER. Requests are named by endpoint so the statistics group them.
The two detail tasks carry the tag ``detail`` (``bench_load --tags detail``: detail alone).
"""

from __future__ import annotations

import json
import os
import random

from locust import FastHttpUser, between, constant_throughput, tag, task

PARAMS = json.loads(open(os.environ["LOAD_PARAMS"], encoding="utf-8").read())  # noqa: SIM115
TOKENS: dict[str, str] = PARAMS["tokens"]
IDS: list[int] = PARAMS["customer_ids"]
TERMS: list[str] = PARAMS["search_terms"]
# ``bench_load --rate N``: each user paces itself to N / users requests per second, so the run
# measures the latency *at* a given throughput; without it users send as fast as answers come
# back and the latency is whatever the queue makes it (users ÷ throughput, Little's law).
PER_USER_RATE: float | None = PARAMS.get("per_user_rate")


class ApiUser(FastHttpUser):
    wait_time = constant_throughput(PER_USER_RATE) if PER_USER_RATE else between(0, 0.01)

    def _get(self, role: str, path: str, name: str) -> None:
        with self.client.get(
            path, headers={"X-Internal-Token": TOKENS[role]}, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @tag("detail")
    @task(6)
    def detail_staff(self) -> None:
        self._get("STAFF", f"/api/v1/customers/{random.choice(IDS)}/detail", "detail (STAFF)")

    @tag("detail")
    @task(3)
    def detail_admin(self) -> None:
        self._get("ADMIN", f"/api/v1/customers/{random.choice(IDS)}/detail", "detail (ADMIN)")

    @task(2)
    def search(self) -> None:
        self._get("STAFF", f"/api/v1/customers/search?q={random.choice(TERMS)}", "search (STAFF)")

    @task(1)
    def analytics(self) -> None:
        cid = random.choice(IDS)
        self._get("MANAGER", f"/api/v1/customers/{cid}/analytics?period=90d", "analytics 90d (MANAGER)")

    @task(1)
    def dashboard(self) -> None:
        self._get("MANAGER", "/api/v1/analytics/dashboard?period=month", "dashboard month (MANAGER)")
