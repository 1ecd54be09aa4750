# Two commands: `make dev` (set up and run the demo) and `make test` (set up and run every check).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev screenshots test lint typecheck unit install clean bench template cfn-lint sam-validate sam-build \
	coldstart

# aws-sam-cli lives in its own venv: its pins (pydantic, boto3...) must not fight ours.
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_VERSION := 1.170.0
export SAM_CLI_TELEMETRY := 0

install: $(STAMP) node_modules/.installed web/dist/index.html

# The web app: its packages from web/package-lock.json, then one esbuild run (under a second).
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/build.mjs
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && node build.mjs

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# The local server with its demo (admin@example.com / admin unless AUTOMATIONS_ADMIN_* say else);
# options pass through: make dev ARGS="--port 9000 --db scratch.db".
ARGS ?=
dev: install
	$(BIN)/automations dev $(ARGS)

# The README's pictures of the editor and of a process, from the demo in headless Chromium.
screenshots: install
	$(BIN)/python tests/e2e/web/readme_screenshots.py

lint: install
	$(BIN)/ruff check src tests bench functions infra
	$(BIN)/ruff format --check src tests bench functions infra
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: lint typecheck unit template

# The SAM template: both linters, then a build without Docker whose output is checked
# (infra/check_build.py: sizes, handler files, the layer's architecture).
template: cfn-lint sam-validate sam-build

$(SAM): Makefile
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install -q --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)
	touch $@

cfn-lint: install
	$(BIN)/cfn-lint template.yaml

sam-validate: $(SAM)
	$(SAM) validate --lint --template-file template.yaml

sam-build: install $(SAM)
	rm -rf .aws-sam/build
	$(SAM) build --template-file template.yaml --build-dir .aws-sam/build
	$(BIN)/python infra/check_build.py .aws-sam/build

# Every benchmark of docs/benchmarks.md (bench/dispatch.py measures with wrk when it is on PATH).
bench: install
	$(BIN)/python bench/compile.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/cost.py

# Import time of every Lambda handler in a fresh interpreter (docs/benchmarks.md, Coldstart).
coldstart: install
	$(BIN)/python bench/coldstart.py

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam node_modules web/node_modules web/dist
