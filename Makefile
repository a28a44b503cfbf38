# Two commands do everything: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint format messages static clean bench

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate, load reference and demo data, print the logins, serve.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference_data
	SITE_URL=http://$(HOST):$(PORT) $(PY) manage.py load_demo
	@echo "Serving on http://$(HOST):$(PORT)/  (stop with Ctrl-C)"
	$(PY) -m nzr.embedded $(HOST):$(PORT)

## make test: install and run the whole suite (PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL are set).
test: $(STAMP)
	NZR_TESTING=1 $(BIN)/pytest --cov --cov-report=term:skip-covered $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make messages: update and compile the Dutch translations of every app.
messages: $(STAMP)
	for app in accounts registry training regions escalation requests_app dashboard; do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l nl -l en --no-obsolete >/dev/null); done
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore='*/*' >/dev/null || true
	$(PY) manage.py compilemessages --ignore=.venv >/dev/null

## make bench: benchmarks against a seeded PostgreSQL database (see bench/results.md); not tests.
bench: $(STAMP)
	bash bench/run_all.sh

static:
	bash scripts/vendor-static.sh

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .coverage
