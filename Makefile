# Everything here works on a fresh machine of the project's kind (Debian, root, package
# registries reachable): `make demo` and `make test` install what they need first.
SHELL := /bin/bash
PYTHON ?= python3
# Builds wait on disk and network as much as on CPU: more workers than cores pays off.
PYTEST_WORKERS ?= 4

.PHONY: setup demo test lint unit integration bench

setup:
	@bash .ci/setup

demo: setup
	$(PYTHON) -m tests.support.demo

lint: setup
	ruff check lib tests
	ruff format --check lib tests
	mypy
	shellcheck -x bin/* lib/*.sh vendor/profile.d/*.sh .ci/run .ci/setup

test: lint
	$(PYTHON) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider tests

unit: setup
	$(PYTHON) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider tests/unit

integration: setup
	$(PYTHON) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider tests/integration

bench: setup
	$(PYTHON) -m tests.bench
