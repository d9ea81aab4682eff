# KMS developer commands. Everything runs inside .venv, created on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
SERVICES_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/kms
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup install migrate demo admin lint format test test-services worker beat messages clean

$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "KMS needs $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
		-r requirements-dev.txt -c requirements.lock
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) kms_demo

admin: migrate
	$(MANAGE) kms_admin

setup: demo admin

## Serve the admin and the API on http://127.0.0.1:8000 (embedded default).
run: setup
	$(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## The whole suite on the embedded default (SQLite, eager tasks).
test: lint
	$(BIN)/pytest

## The services tier: the content tests and the `services` tests on PostgreSQL + Redis.
test-services: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) \
		$(BIN)/pytest -m "not es" tests/content tests/services

## A Celery worker (and beat) for services mode: needs REDIS_URL and DATABASE_URL.
worker: install
	$(BIN)/celery -A kms worker --beat --loglevel=INFO --concurrency=2

messages: install
	cd content && ../$(BIN)/python ../manage.py compilemessages --locale zh_Hans

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
