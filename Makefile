# Two commands: `make run` (set up from nothing and serve) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1 && echo uv || echo "$(PYTHON) -m uv")
MANAGE := $(UV) run --frozen python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install uv migrate demo lint check clean system-packages

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv

install: uv
	$(UV) sync --frozen

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo --with-users

run: demo
	@echo ""
	@echo "  http://$(HOST):$(PORT)/ を開き、上のデモ用アカウントでログインしてください。"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

# The suite's system packages (Chromium, CJK fonts, redis-server, LibreOffice Calc): one list, in
# scripts/system-packages.sh, used here and by .ci/run. Installs with apt-get as root on Debian;
# elsewhere it stops with the command to run.
system-packages:
	bash scripts/system-packages.sh

test: system-packages install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports

check: install
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) check

clean:
	rm -rf .venv db.sqlite3 staticfiles screenshots

# Benchmarks on PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hokenfukushi_bench)
# at 4, 63 and 1,741 towns × 10 years; needs wrk (apt-get install wrk). See docs/benchmarks.md.
.PHONY: bench
bench: install
	$(UV) run --frozen python benchmarks/run.py $(BENCH_ARGS)
