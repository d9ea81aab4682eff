# KMS developer commands. Everything runs inside .venv, created on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANAGE := $(BIN)/python manage.py
SERVICES_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/kms
SERVICES_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run setup install migrate demo admin lint format test test-services worker messages clean

$(STAMP): requirements.txt requirements-dev.txt requirements.lock
	@$(PYTHON) -c "import sys; assert sys.version_info[:2] == (3, 11), sys.version" 2>/dev/null || { echo "KMS needs Python 3.11 (python3.11 on PATH)"; exit 1; }
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
	$(MANAGE) kms_widget_demo

admin: migrate
	$(MANAGE) kms_admin

setup: demo admin
	$(MANAGE) kms_review_reminders

## Serve the admin and the API on http://127.0.0.1:8000 (embedded default).
run: setup
	$(MANAGE) runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## The whole suite on the embedded default (SQLite, eager tasks).
test: lint
	$(BIN)/pytest

## The services tier: the content and API tests and the `services` tests on PostgreSQL + Redis.
test-services: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) REDIS_URL=$(SERVICES_REDIS_URL) \
		$(BIN)/pytest -m "not es" tests/content tests/api tests/services

## Celery workers (and beat) for services mode: needs REDIS_URL and DATABASE_URL. One for
## the default queue (index, cache, webhooks), one for embedding passages, so that a large
## import's embedding never holds up the index; Ctrl-C stops both.
worker: install
	trap 'kill 0' INT TERM EXIT; \
	$(BIN)/celery -A kms worker --loglevel=INFO --concurrency=1 --queues=embedding \
		--hostname=embedder@%h & \
	$(BIN)/celery -A kms worker --beat --loglevel=INFO --concurrency=2 --queues=celery

## Refresh the Chinese catalogue after changing user-facing strings (needs GNU gettext).
messages: install
	$(MANAGE) makemessages -l zh_Hans --ignore ".venv/*" --ignore "tests/*" --ignore "var/*" --ignore "bench/*"
	$(MANAGE) compilemessages -l zh_Hans --ignore ".venv/*"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
