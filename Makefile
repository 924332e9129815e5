# ENVIRONET: `make run` to try it, `make test` for the whole suite (lint and types included).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
LOCK := requirements.lock
export ENVIRONET_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test lint types unit bench api-fuzz migrate demo messages compilemessages system-deps clean lock nginx deploy-check

# Every package, dependencies of dependencies included, at the version and with the hashes of the lock;
# then the project itself, built with the locked setuptools. `make lock` rewrites the lock.
$(STAMP): pyproject.toml $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $(STAMP)

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.12 \
		--no-header --quiet -o $(LOCK)

# gettext compiles the catalogues; Chromium drives the browser tests. Installed when missing and
# when we may (root with apt); otherwise the browser tests say why they are skipped.
system-deps: nginx
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext) || \
		echo "gettext missing: install it (apt-get install gettext) to compile translations"; }
	@test -x /usr/bin/chromium || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) || \
		echo "chromium missing and cannot be installed here: browser tests will be skipped"; }

# nginx, for `make deploy-check` and its test: installed like Chromium, else the test says why it is skipped.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx) || \
		echo "nginx missing and cannot be installed here: the deployment check will be skipped"; }

# The production deployment of deploy/ on loopback ports, checked through nginx, then removed (README, "Deploying").
deploy-check: $(STAMP) nginx
	$(BIN)/python deploy/check.py

compilemessages: $(STAMP)
	@command -v msgfmt >/dev/null && $(BIN)/python manage.py compilemessages --ignore=.venv -v 0 || true

migrate: $(STAMP) compilemessages
	ENVIRONET_DEBUG=1 $(BIN)/python manage.py migrate --no-input -v 0

demo: migrate
	ENVIRONET_DEBUG=1 $(BIN)/python manage.py seed_demo

# collectstatic: the static files with a gzip copy of each, served while they are as new as their source.
run: system-deps demo
	ENVIRONET_DEBUG=1 $(BIN)/python manage.py collectstatic --no-input -v 0
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl-C stops it)."
	ENVIRONET_DEBUG=1 $(BIN)/python manage.py worker & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	ENVIRONET_DEBUG=1 $(BIN)/uvicorn environet.asgi:application --host 127.0.0.1 --port $(PORT) --no-proxy-headers

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check --diff . || { echo "Run: $(BIN)/ruff format ."; exit 1; }

types: $(STAMP)
	$(BIN)/mypy .

unit: $(STAMP) system-deps compilemessages
	$(BIN)/python manage.py makemigrations --check --dry-run -v 0 --settings=environet.test_settings
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint types unit

bench: $(STAMP)
	@for script in bench/*.py; do case "$$script" in bench/raw_*|bench/_*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script $(BENCH_ARGS) || exit 1; done

# The API fuzzed from its OpenAPI schema with the long budget: EXAMPLES generated calls per operation (CI
# makes 10), besides the boundary cases; SEED=N makes other calls than every other run (README, "Testing").
EXAMPLES ?= 500
api-fuzz: $(STAMP) compilemessages
	API_FUZZ_EXAMPLES=$(EXAMPLES) $(if $(SEED),API_FUZZ_SEED=$(SEED)) $(BIN)/pytest \
		environet/tests/test_api_schemathesis.py -k answers_as_its_schema -q $(if $(SEED),--hypothesis-seed=$(SEED)) $(PYTEST_ARGS)

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l en -l fr -l es --ignore=.venv --ignore=var --no-obsolete

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache
