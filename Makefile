# Hub Catalogue: the commands a newcomer and an operator run. `make demo` and `make test` need nothing but
# python3 (3.11+) and, for the browser tests, Debian's chromium package (installed here when missing).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test lint format fixtures messages chromium wrk clean bench soak lock screenshots

# Exactly the versions CI tested, each checked against its hash: requirements-dev.lock (the site's own
# requirements.lock plus the test and lint tools), written from pyproject.toml by `make lock`.
$(BIN)/.installed: requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed

# After changing the dependencies in pyproject.toml: pin them, with hashes, for every platform. Versions
# already pinned stay unless pyproject.toml rules them out (LOCK_ARGS=--upgrade takes the newest).
LOCK = $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes --universal --python-version 3.11 \
	--custom-compile-command "make lock" $(LOCK_ARGS)
LOCK_ARGS ?=
lock: install
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -o requirements-dev.lock

# Development data and accounts, then the development server with the mail worker beside it (the emails it
# sends are printed here). Safe to run again: nothing is duplicated.
demo: export DJANGO_DEBUG = 1
demo: export HUBCATALOG_SITE_URL ?= http://$(HOST):$(PORT)
demo: install
	$(MANAGE) migrate --noinput
	$(MANAGE) loaddata fixtures/catalogue.json fixtures/hubs.json
	$(MANAGE) rebuild_catalogue_index
	$(MANAGE) draw_product_images
	$(MANAGE) seed_demo
	@echo "Hub Catalogue is at http://$(HOST):$(PORT)/ (administration: http://$(HOST):$(PORT)/admin/)"
	$(MANAGE) mailworker --poll 1 & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(MANAGE) runserver $(HOST):$(PORT)

# The production way on the same data: gunicorn, DEBUG off, hashed and compressed static files by whitenoise,
# and the mail worker (here printing the emails; production points DJANGO_EMAIL_* at its mail server).
# A local secret key is made once and kept in .secret_key (ignored by git); production sets its own.
serve: export DJANGO_DEBUG = 0
serve: export DJANGO_SECRET_KEY ?= $(shell cat .secret_key 2>/dev/null || ($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' | tee .secret_key))
serve: export DJANGO_ALLOWED_HOSTS ?= 127.0.0.1,localhost
serve: export DJANGO_SECURE_COOKIES ?= 0
serve: export DJANGO_SERVE_MEDIA ?= 1
serve: export HUBCATALOG_SITE_URL ?= http://$(HOST):$(PORT)
serve: export DJANGO_EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
serve: install
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) mailworker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
		$(BIN)/gunicorn --config gunicorn.conf.py hubcatalog.wsgi

# The pictures of docs/screenshots/ (shown in the README): the demo data on a database of its own, served on
# SHOT_PORT, visited by scripts/take_screenshots.py in Chromium at 390 and 1280 px.
SHOT_PORT ?= 8765
SHOT_DB := /tmp/hubcatalog-screenshots.sqlite3
screenshots: export DJANGO_DEBUG = 1
screenshots: export DATABASE_URL = sqlite:///$(SHOT_DB)
screenshots: export DJANGO_MEDIA_ROOT ?= /tmp/hubcatalog-screenshots-media
screenshots: install chromium
	rm -f $(SHOT_DB)
	$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) loaddata --verbosity 0 fixtures/catalogue.json fixtures/hubs.json
	$(MANAGE) rebuild_catalogue_index
	$(MANAGE) draw_product_images
	$(MANAGE) seed_demo
	$(MANAGE) runserver --noreload $(HOST):$(SHOT_PORT) & server=$$!; trap 'kill $$server 2>/dev/null' EXIT; \
		sleep 3; $(BIN)/python scripts/take_screenshots.py --base-url http://$(HOST):$(SHOT_PORT) --out docs/screenshots

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium package for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The load tool of `make bench`: Debian's wrk package, installed when missing.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "Installing Debian's wrk package for the benchmark"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; }

test: install chromium wrk
	DJANGO_DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# The lock files must say what pyproject.toml asks for: compiled again (keeping their pins), unchanged.
	@tmp=$$(mktemp -d); cp requirements.lock requirements-dev.lock $$tmp/; \
		$(LOCK) -o $$tmp/requirements.lock && $(LOCK) --extra dev -o $$tmp/requirements-dev.lock && \
		diff -u requirements.lock $$tmp/requirements.lock && diff -u requirements-dev.lock $$tmp/requirements-dev.lock \
		|| { echo "The lock files are out of date with pyproject.toml: run make lock"; rm -rf $$tmp; exit 1; }; \
		rm -rf $$tmp

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild fixtures/*.json from fixtures/build_fixtures.py (deterministic: the same script writes the same files).
fixtures: install
	$(BIN)/python fixtures/build_fixtures.py

# After changing user-facing text: extract it into locale/*/django.po, translate there, then compile. The
# compiled .mo files are committed, so a fresh clone needs no gettext tools.
messages: export DJANGO_DEBUG = 1
messages: install
	$(MANAGE) makemessages --no-obsolete --ignore=.venv --ignore=tests --ignore=scripts --ignore=fixtures \
		--ignore=staticfiles -l uk -l de -l fr -l pl
	$(MANAGE) compilemessages --ignore=.venv

# The site as run in production (gunicorn.conf.py, DEBUG off, whitenoise) under wrk; bench/README.md says what
# is measured. N products in a database of the bench's own: bench/data/bench-N.sqlite3, or the PostgreSQL
# database DATABASE_URL names (its name must contain "bench"). Results in bench/results/. CI-sized smoke run:
# make bench N=300 DURATION=3 (fails on any error). More options: BENCH_ARGS="--help".
N ?= 10000
DURATION ?= 15
CONNECTIONS ?= 16
COLD_CONNECTIONS ?= 8
BENCH_ARGS ?=
bench: install wrk
	$(BIN)/python bench/run.py --products $(N) --duration $(DURATION) --connections $(CONNECTIONS) \
		--cold-connections $(COLD_CONNECTIONS) $(BENCH_ARGS)

# Chaos test of EOI submission (soak/README.md): two gunicorn servers on one PostgreSQL database of its own
# (made anew each run: SOAK_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/hubcatalog_soak, its name
# must contain "soak") and one Redis, SOAK_CLIENTS buyers submitting SOAK_EOIS EOIs while gunicorn workers are
# killed, the mail server goes down then hangs, and the local PostgreSQL cluster is restarted once (so run it
# where that is allowed). Fails when a check fails; reports in soak/results/. CI-sized, about a minute:
# make soak SOAK_EOIS=60 SOAK_CLIENTS=6. More options: SOAK_ARGS="--help".
SOAK_EOIS ?= 2000
SOAK_CLIENTS ?= 32
SOAK_ARGS ?=
soak: install
	$(BIN)/python soak/run.py --eois $(SOAK_EOIS) --clients $(SOAK_CLIENTS) $(SOAK_ARGS)

clean:
	rm -rf $(VENV) staticfiles
