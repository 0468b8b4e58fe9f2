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
# the searches' counts are index-only scans: a data set seeded before seed_demo vacuumed its
# tables (or restored from a dump) needs the visibility map (core/db.py, a few seconds)
$PY manage.py analyze_database --vacuum customers_customer customers_packagepurchase
echo "=== platform (health, authenticated read, rate counter, cache with Redis down)"
$PY manage.py bench_platform --requests 300
echo "=== customer API (seed 004): detail, search, analytics, segments, recommendations"
$PY manage.py bench_customer_api --seed --orders 1000000 --train --json bench/results/customer_api.json
echo "=== shop analytics (seed 000 §2): dashboard month/year vs own SQL, forecast"
$PY manage.py bench_analytics --json bench/results/analytics.json
echo "=== monthly sales report (seed 000 §6): one month's PDF and XLSX with charts, time and peak memory"
$PY manage.py bench_reports --repeat 2 --json bench/results/reports.json
echo "=== price optimiser (seed 000 §4.1): first request, stored estimates p50/p95, on-demand fit"
$PY manage.py bench_pricing --train --requests 200 --on-demand 10 --json bench/results/pricing.json
echo "=== throughput: gunicorn (2 workers, production settings) under Locust load, three roles"
$PY manage.py bench_load --workers 2 --users 32 --duration 60 --json bench/results/load.json
echo "=== search sync (seed 000 §7): full sync of 100,000 products, incremental of 1,000 changes, search"
# its own database (it creates products) and its own index directory: docs/etl.md
ETL_DB="${ETL_BENCH_DATABASE_URL:-${DATABASE_URL%/*}/bench_etl}"
DATABASE_URL="$ETL_DB" $PY scripts/ensure_database.py
DATABASE_URL="$ETL_DB" $PY manage.py migrate --noinput -v0
DATABASE_URL="$ETL_DB" SEARCH_INDEX_DIR="${ETL_BENCH_INDEX_DIR:-/tmp/etl-bench-index}" \
  $PY manage.py bench_etl --products 100000 --changes 1000 --searches 500 --json bench/results/etl.json
echo "=== imaging (seed 000 §5): validate on a 12-MP JPEG, label OCR per photo"
nice -n 10 $PY manage.py bench_imaging --validate 20 --ocr 10 --json bench/results/imaging.json
echo "=== review sentiment (seed 000 §4.2): load time, RSS, single-review p95, batch reviews/s"
nice -n 10 $PY manage.py bench_sentiment --train-if-missing --json bench/results/sentiment.json
echo "=== shop product recommendations (seed 000 §3): training, artifact memory, endpoints cold"
$PY manage.py bench_product_recs --train --json bench/results/product_recs.json
echo "results: bench/results/*.json"
