#!/usr/bin/env bash
# make bench: the benchmarks of docs/benchmarks.md on PostgreSQL + Redis.
# The first run seeds 100,000 customers, ~2,000,000 sessions and 1,000,000 orders
# (seed_demo --size large --fast-load: ~35 min on 2 cores); later runs reuse the data.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
: "${DATABASE_URL:?DATABASE_URL must point to PostgreSQL}"
: "${REDIS_URL:?REDIS_URL must point to Redis}"
mkdir -p bench/results
$PY scripts/ensure_database.py
$PY manage.py migrate --noinput -v0
echo "=== platform (health, authenticated read, rate counter, cache with Redis down)"
$PY manage.py bench_platform --requests 300
echo "=== customer API (seed 004): detail, search, analytics, segments, recommendations"
$PY manage.py bench_customer_api --seed --orders 1000000 --train --json bench/results/customer_api.json
echo "=== shop analytics (seed 000 §2): dashboard month/year vs own SQL, forecast"
$PY manage.py bench_analytics --json bench/results/analytics.json
echo "=== price optimiser (seed 000 §4.1): first request, stored estimates p50/p95, on-demand fit"
$PY manage.py bench_pricing --train --requests 200 --on-demand 10 --json bench/results/pricing.json
echo "=== throughput: gunicorn (2 workers, production settings) under Locust load, three roles"
$PY manage.py bench_load --workers 2 --users 32 --duration 60 --json bench/results/load.json
echo "results: bench/results/*.json"
