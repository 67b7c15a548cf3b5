# WaggleBot: `make demo` runs the pipeline offline on bundled samples, `make test` runs every test.
SHELL := /bin/bash
# The first Python 3.12 that really runs (a pyenv shim for an inactive version only prints an error).
PYTHON_312 ?= $(shell for p in python3.12 /root/.pyenv/versions/3.12.*/bin/python3.12 /usr/local/bin/python3.12; do \
	$$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
APT_PACKAGES := gettext espeak-ng fonts-nanum chromium libmariadb-dev pkg-config mariadb-client mariadb-server-core ffmpeg sox docker-compose rsync
TEST_MARIADB_URL ?= mysql://root@127.0.0.1:3306/wagglebot_test
# Tests never read a developer's .env: every value they depend on is set here.
TEST_ENV := ENV_FILE=/dev/null DEBUG=false SECRET_KEY=test-secret-key-not-for-production-0123456789 \
	SECURE_SSL_REDIRECT=false MEDIA_ROOT=$(CURDIR)/.test-media \
	METRICS_DIR=$(CURDIR)/.test-metrics
ARGS ?=

.PHONY: setup setup-base system-packages test test-sqlite test-mariadb demo bench lint check clean messages

# setup-base: what the apps and the demo run. setup: that plus the test tools and the build of torch
# the LLM writer's test needs. Separate stamps: `make test` after `make demo` only adds.
setup-base: system-packages $(VENV)/.installed-base .env
setup: setup-base $(VENV)/.installed-test

system-packages:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo ">> installing Debian packages:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
		echo "!! missing Debian packages:$$missing"; \
		echo "!! run: sudo apt-get install$$missing"; exit 1; \
	fi

$(VENV)/.installed-base: requirements/base.txt
	@test -n "$(PYTHON_312)" || { echo "!! Python 3.12 not found: install it (e.g. pyenv install 3.12) or pass PYTHON_312=/path/to/python3.12"; exit 1; }
	@test -x $(PY) || $(PYTHON_312) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/base.txt
	@touch $@

# PyTorch (about 5 GB with its CUDA libraries) comes only with the tests: the demo never imports it.
$(VENV)/.installed-test: $(VENV)/.installed-base requirements/dev.txt requirements/llm-test.txt
	$(PY) -m pip install -q -r requirements/dev.txt -r requirements/llm-test.txt
	@touch $@

.env:
	@printf 'DEBUG=true\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(48))')" > .env
	@echo ">> wrote .env for development (DEBUG=true, a fresh SECRET_KEY); see .env.example"

test: setup
	$(VENV)/bin/lint-imports --no-logo
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-mariadb

test-sqlite:
	@echo "================ pytest on SQLite ================"
	$(TEST_ENV) DATABASE_URL=sqlite:///$(CURDIR)/.test-db.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

test-mariadb:
	@echo "================ pytest on MariaDB ($(TEST_MARIADB_URL)) ================"
	@if ! $(PY) -m wagglebot.lib.dbping "$(TEST_MARIADB_URL)"; then \
		if [ "$$CI" = "true" ]; then echo "!! MariaDB is required in CI"; exit 1; fi; \
		echo ">> MariaDB not reachable: MariaDB pass skipped (CI=true makes this a failure)"; exit 0; \
	fi
	$(TEST_ENV) DATABASE_URL=$(TEST_MARIADB_URL) $(PY) -m pytest $(PYTEST_ARGS)

demo: setup-base
	$(PY) manage.py demo $(ARGS)

bench: setup
	@for script in bench/*.py; do echo ">> $$script"; $(PY) $$script || exit 1; done

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

# The Korean catalog: collect marked strings into locale/ko/LC_MESSAGES/django.po, translate the
# empty msgstr lines, then compile (tests/posts/test_i18n.py fails on an untranslated or stale one).
messages: setup-base
	$(PY) manage.py makemessages -l ko --no-location --no-wrap --no-obsolete \
		--ignore='.venv/*' --ignore='tests/*' --ignore='var/*' --ignore='bench/*' --ignore='scripts/*'
	@# msgmerge guesses a translation for a new string from a similar old one ("Re-render" took
	@# "Rendered"'s): such fuzzy guesses are emptied, so only a translation a person wrote is used.
	msgattrib --clear-fuzzy --empty --clear-previous --no-wrap -o locale/ko/LC_MESSAGES/django.po locale/ko/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages -l ko --ignore='.venv/*'

check: setup-base
	$(PY) manage.py check

clean:
	rm -rf .test-media .test-metrics .test-db.sqlite3* .pytest_cache
