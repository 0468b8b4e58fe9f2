# Two commands for a fresh machine: `make demo` and `make test`. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEMO_PASSWORD ?= demo1234!
PYTEST_WORKERS ?= 2
export DEMO_PASSWORD

.PHONY: help venv sysdeps demo serve migrate test test-pg lint fmt bench clean worker

help:
	@echo "make demo   - set up, migrate, load demo data, create demo users, serve on http://127.0.0.1:8000"
	@echo "make test   - set up and run the test suite (embedded default, or DATABASE_URL/REDIS_URL if set)"
	@echo "make test-pg - the suite against local PostgreSQL + Redis"
	@echo "make bench  - benchmarks (PostgreSQL + Redis), see docs/benchmarks.md"
	@echo "make lint   - ruff and migration checks"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required (set PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

# Operating-system packages: Tesseract with Korean data (OCR) and a Korean font (PDF, charts).
sysdeps:
	@bash scripts/sysdeps.sh

migrate: venv
	$(PY) scripts/ensure_database.py
	$(PY) manage.py migrate --noinput

demo: venv sysdeps migrate
	$(PY) manage.py seed_demo --size small --if-empty
	$(PY) manage.py train_models --if-missing
	$(PY) manage.py create_demo_users
	@echo ""
	@echo "  관리자 화면: http://127.0.0.1:8000/admin/"
	@echo "  API 문서:   http://127.0.0.1:8000/api/docs/"
	@echo "  상태 확인:  http://127.0.0.1:8000/api/v1/health"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

serve: venv
	$(PY) manage.py runserver 127.0.0.1:8000

worker: venv
	$(VENV)/bin/celery -A config worker -l info --concurrency 2

test: venv sysdeps
	$(PY) scripts/ensure_database.py
	$(PY) manage.py makemigrations --check --dry-run > /dev/null
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --create-db -q

test-pg: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wellness} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(MAKE) test

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

fmt: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/wellness_bench} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/5} bash scripts/bench.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
