# Two commands: `make run` (install and serve the app) and `make test` (install and test).
SHELL := /bin/bash
UV_VERSION := 0.13.9
UV := .tools/bin/uv
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
export UV_PYTHON_DOWNLOADS := never
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_USE_SYSTEM_BUN := 1

.PHONY: run run-prod test bench bench-load seed bench-admin bench-browser lint typecheck pytest deps deps-test chromium clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

node_modules/.bin/bun: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(UV) node_modules/.bin/bun
	$(UV) sync --frozen --no-dev --inexact

deps-test: $(UV) node_modules/.bin/bun chromium
	$(UV) sync --frozen

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-dejavu-core; }

run: deps
	.venv/bin/passkey-app dev

# Production profile (docs/deploy.md): PostgreSQL, Redis state, two workers, one port.
run-prod: deps
	@for name in PASSKEY_DATABASE_URL REFLEX_REDIS_URL; do \
		[ -n "$${!name}" ] || { echo "$$name must be set (see docs/deploy.md)"; exit 1; }; done
	.venv/bin/passkey-app migrate
	@PATH="$(CURDIR)/node_modules/.bin:$$PATH" GRANIAN_WORKERS=$${GRANIAN_WORKERS:-2} \
		.venv/bin/reflex run --env prod --frontend-port $${PORT:-8000} \
		--backend-port $${PORT:-8000} --backend-host $${BIND_HOST:-127.0.0.1} & app=$$!; \
	.venv/bin/passkey-app wait-healthy http://$${BIND_HOST:-127.0.0.1}:$${PORT:-8000}/api/health \
		& ready=$$!; \
	stop() { kill -TERM $$app $$ready 2>/dev/null; wait $$app $$ready; exit $$1; }; \
	trap 'stop 130' INT; trap 'stop 143' TERM; \
	wait $$ready && echo "ready on port $${PORT:-8000}"; \
	wait $$app

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

typecheck:
	.venv/bin/mypy

pytest:
	.venv/bin/python -m pytest

test: deps-test
	$(MAKE) lint typecheck pytest

bench: deps-test
	.venv/bin/python -m scripts.bench_passkeys

CLIENTS ?= 20
SECONDS ?= 30
# Passkey sign-ins per second on the production profile (PostgreSQL and Redis on this
# machine): CLIENTS simulated browsers for SECONDS (scripts/bench_load.py --help).
bench-load: deps-test
	.venv/bin/python -m scripts.bench_load --clients $(CLIENTS) --seconds $(SECONDS)

SIZE ?= 1000
# Demo users for the admin dashboard, into the stack `make run` is serving.
seed: deps
	.venv/bin/passkey-app seed --users $(SIZE)

bench-admin: deps-test
	.venv/bin/python -m scripts.bench_admin

ROUNDS ?= 20
# Passkey sign-in without a reload, click to account content, in Chromium, against a bare
# stdlib + py_webauthn page (issue #13: at most 5x); dev and production profiles, ports
# 3400-3405 (scripts/bench_signin_browser.py --help).
bench-browser: deps-test
	.venv/bin/python -m scripts.bench_signin_browser --rounds $(ROUNDS)

clean:
	rm -rf .web .web-test .web-prod .states test-artifacts
