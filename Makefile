# GovCloud — two commands on a fresh machine:
#   make run    the product with demo data, task worker, scheduler and web server
#   make test   the whole test suite
# Everything else here is what those two need.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
BIND ?= 127.0.0.1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test install install-dev system-packages frontend messages migrate lint format clean

run: .env install messages migrate
	GOVCLOUD_DEBUG=1 $(PY) manage.py load_demo
	GOVCLOUD_DEBUG=1 PORT=$(PORT) BIND=$(BIND) scripts/run.sh

test: .env install-dev messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --settings=govcloud.settings_test
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

# --- set-up ---------------------------------------------------------------------------------------

system-packages:
	scripts/install-system-packages.sh

# A developer machine's local settings (never committed): the demo runs with DEBUG on, so that
# `manage.py` works here without production keys. Production sets its variables instead.
.env:
	printf '# Local development settings (not committed). Production: see README.\nGOVCLOUD_DEBUG=true\n' > $@

$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

frontend: node_modules/.package-lock.json

install: system-packages $(VENV)/.runtime-installed frontend

install-dev: system-packages $(VENV)/.dev-installed frontend

messages: $(PY)
	GOVCLOUD_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate:
	GOVCLOUD_DEBUG=1 $(PY) manage.py migrate --no-input -v 0

# --- for developers ---------------------------------------------------------------------------------

# lint-imports: the import layering of pyproject.toml's [tool.importlinter] (ARCHITECTURE.md).
lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) node_modules staticfiles
