# pass-unit: `make run` (app with demo data) and `make test` (whole suite).
# Needs only Python 3.12+; the database is an embedded PostgreSQL in .pgdata/
# unless DATABASE_URL is set.

PYTHON ?= $(shell command -v python3.12 || pyenv which python3.12 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format install migrate seed messages db-stop clean bench backup load

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "pass-unit needs Python 3.12+ (found %s). Install it, or run: make PYTHON=/path/to/python3.12" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

# The background worker (patients' extracts of validated RCP minutes) runs beside the server and
# stops with it.
run: seed
	@echo "Demo accounts: accueil, social, infirmier, medecin, psy, coordination, admin / pass-unit-demo"
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

messages: install
	$(BIN)/python manage.py makemessages -l fr -l en --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: migrate
	$(BIN)/python bench/run.py

# Load test: locust, 50 users for 60 s, against gunicorn (3 workers) on its own demo database (bench/load/run.py).
load: migrate
	$(BIN)/pip install -q -e ".[test,bench]"
	$(BIN)/python bench/load/run.py $(LOAD_ARGS)

backup: install
	$(BIN)/python manage.py backup_db

db-stop:
	$(BIN)/python -m pass_unit.embedded_db stop

clean: db-stop
	rm -rf $(VENV) staticfiles
