# The two commands: `make demo` and `make test`. Both set up everything they need on a
# fresh Debian machine (as root): Debian packages, a .venv, npm packages, the build, and a
# local one-node Slurm cluster. A second run reuses what is there.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
VENV := $(CURDIR)/.venv
export PATH := $(VENV)/bin:$(PATH)
PYTHON := $(VENV)/bin/python
DEMO_STATE ?= $(CURDIR)/.demo
DEMO_PORT ?= 8888

.PHONY: help setup system venv npm build cluster sample-jobs demo test lint test-python \
	test-js test-ui hub-users hub test-hub check-package bench clean

help:
	@echo "make demo   set everything up and open JupyterLab against a local Slurm cluster"
	@echo "make test   set everything up and run every test"
	@echo "make bench  run the benchmark scripts (not part of make test)"

system:
	scripts/install-system-deps

# The Python environment: the package in editable mode with its test tools.
$(VENV)/.installed: pyproject.toml | system
	[ -x $(PYTHON) ] || python3 -m venv $(VENV)
	$(PYTHON) -m pip install -q --upgrade pip
	# The labextension is built by `make build`; skip the builder hook here.
	SKIP_JUPYTER_BUILDER=1 $(PYTHON) -m pip install -q -e ".[test]"
	touch $@
venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json | system
	npm ci --no-audit --no-fund
	touch $@
ui-tests/node_modules/.installed: ui-tests/package.json ui-tests/package-lock.json | system
	cd ui-tests && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@
npm: node_modules/.installed

build: venv npm
	npm run build
	jupyter labextension develop --overwrite . >/dev/null
	jupyter server extension enable --sys-prefix jupyterlab_hpc >/dev/null

setup: system venv npm build

cluster: system
	scripts/local-cluster up

sample-jobs: cluster
	scripts/sample-jobs

# The Lab on a copy of demo/files, with the jobs panel open, a kernel that loads a module,
# and every change kept in .demo (demo/jupyter_server_config.py says what is where).
demo: setup cluster sample-jobs
	DEMO_STATE=$(DEMO_STATE) JUPYTER_DATA_DIR=$(DEMO_STATE)/data \
	jupyter lab --config demo/jupyter_server_config.py --port=$(DEMO_PORT) --no-browser

lint: venv npm
	ruff check server-extension
	ruff format --check server-extension
	mypy
	npm run lint:check

# The hub queue service's tests (test_hubqueue.py) start a real JupyterHub with the hub
# test users and configurable-http-proxy from ui-tests' npm packages.
test-python: venv cluster hub-users ui-tests/node_modules/.installed
	pytest -p no:cacheprovider

test-js: npm
	npm test

test-ui: build cluster ui-tests/node_modules/.installed
	cd ui-tests && npx playwright test

# A JupyterHub site on this machine (docs/deploy.md): the test users, and the shared
# environment the hub and their servers run from, with the package built from this checkout.
hub-users: cluster
	scripts/hub-users

hub: build hub-users
	scripts/hub-venv

# Real JupyterHubs on loopback (LocalProcessSpawner, batchspawner's SlurmSpawner), each
# user's server running as that user, driven in Debian Chromium through the hub's login.
test-hub: hub ui-tests/node_modules/.installed
	cd ui-tests && npx playwright test -c playwright-hub.config.js

# The wheel a user installs ships the prebuilt labextension and enables the server extension.
check-package: venv npm
	scripts/check-package

test: setup cluster lint test-python test-js test-ui test-hub check-package
	@echo "make test: everything passed"

# Benchmarks (not tests): figures against the raw commands in the same run. The queue
# benchmark submits up to 50,000 held jobs of a second user, cancels them after, and
# writes docs/benchmarks.md; the module benchmark builds a 5,000-modulefile tree; the site
# benchmark runs 1, 10 and 50 users' servers polling a 50,000-job queue, with and without
# the hub's queue service (about 45 minutes; prints the table of docs/benchmarks.md).
bench: build cluster ui-tests/node_modules/.installed
	scripts/bench-queue
	scripts/bench-modules
	scripts/bench-site

clean:
	rm -rf lib server-extension/jupyterlab_hpc/labextension dist tsconfig.tsbuildinfo
