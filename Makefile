# The two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt | sha1sum | cut -c1-12)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
TEST_ENV := DJANGO_SETTINGS_MODULE=lmn_cms.settings.test DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: run test test-steps audit test-tools lint format clean-venv

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(RUN_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.run-*; touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.dev-* $(VENV)/.run-*; touch $@ $(RUN_STAMP)

## make run: the demo site on http://127.0.0.1:$(PORT) (SQLite unless DATABASE_URL is set)
# The site's own address (canonical links, sitemap, admin emails) follows PORT.
run: export WAGTAILADMIN_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(RUN_STAMP)
	@# System checks run once, when the server starts, rather than in every step.
	LOG_LEVEL=$${LOG_LEVEL:-WARNING} $(PY) manage.py migrate --no-input --skip-checks
	LOG_LEVEL=$${LOG_LEVEL:-WARNING} $(PY) manage.py load_demo --skip-checks
	$(PY) manage.py ensure_admin --skip-checks
	@echo "Serving on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

## make test: checks, lint and every test (browser tests too) against a throwaway PostgreSQL
## and a throwaway Redis (the suite's cache, as in production)
test: $(DEV_STAMP) test-tools
	bash .ci/with-postgres bash .ci/with-redis $(MAKE) --no-print-directory test-steps

test-steps:
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory audit
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

## make screenshots: the editors' guide's screenshots (admin and site at 1280px and 375px),
## taken by the browser tests on the demo content, into docs/screenshots/
.PHONY: screenshots screenshots-steps
screenshots: $(DEV_STAMP) test-tools
	bash .ci/with-postgres bash .ci/with-redis $(MAKE) --no-print-directory screenshots-steps

screenshots-steps:
	SCREENSHOT_DIR=docs/screenshots $(TEST_ENV) $(PY) -m pytest tests/browser/test_browser_editors.py -k screenshots -q

## make audit: known vulnerabilities in installed packages (skipped, with a message, when
## PyPI's vulnerability data cannot be reached) and bandit's high-severity findings
audit: $(DEV_STAMP)
	$(PY) .ci/audit_dependencies.py
	$(VENV)/bin/bandit --quiet --recursive home blog events lmn_cms bench deploy \
		--exclude "*/migrations/*" --severity-level high

# The test suite drives a real Chromium, nginx (with its cache purge module) and Redis
# (each started on 127.0.0.1 by the tests that need it): install whichever is missing
# when root with apt-get. Each entry is file:Debian package.
TEST_TOOLS := /usr/bin/chromium:chromium /usr/sbin/nginx:nginx-light \
	/usr/lib/nginx/modules/ngx_http_cache_purge_module.so:libnginx-mod-http-cache-purge \
	/usr/bin/redis-server:redis-server
test-tools:
	@missing=""; for tool in $(TEST_TOOLS); do \
		[ -e "$${tool%%:*}" ] || missing="$$missing $${tool##*:}"; \
	done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing$$missing for the tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	else \
		echo "The tests need:$$missing (Debian/Ubuntu: sudo apt-get install$$missing)."; \
		echo "Install them and run make test again."; \
		exit 1; \
	fi

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(DEV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make bench: the production stack (nginx, 2 x gunicorn, PostgreSQL, Redis) on 127.0.0.1,
## measured against issue #15's targets; prints a table and writes docs/performance.md.
## BAKERYDEMO_DIR=/path/to/a/bakerydemo/checkout (outside this project) adds Wagtail's
## demo site, run beside ours, to the cold-render comparison.
# Phony: there is a bench/ directory, so otherwise make would call the target up to date.
.PHONY: bench chaos
bench: $(RUN_STAMP)
	$(PY) bench/run.py

## make chaos: kill a gunicorn instance mid registration burst, restart PostgreSQL
## mid-run, kill and then freeze Redis mid-run
chaos: $(RUN_STAMP)
	$(PY) bench/chaos.py
