# Lyceum: the two everyday commands are `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install migrate demo manage lint format bench bench-smoke clean

# The local commands run with DEBUG on unless told otherwise (production sets SECRET_KEY).
run migrate demo manage: export DEBUG ?= 1

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Lyceum needs $(PYTHON) on PATH"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

## Set everything up on SQLite and serve on http://127.0.0.1:8000 (tasks run in-process);
## the demo logins and API key are printed again under the server's banner.
run: demo
	LYCEUM_EMBEDDED_SCHEDULER=1 $(BIN)/python manage.py rundemo 127.0.0.1:8000

## Run a management command on make run's database, as make run does (virtualenv, DEBUG=1):
## make manage ARGS="create_school --name 'Acme Academy' --slug acme"
manage: install
	$(BIN)/python manage.py $(ARGS)

## Run the whole suite (SQLite unless DATABASE_URL is set; Redis-backed tests need REDIS_URL).
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings_test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Benchmark: PostgreSQL + Redis (started unless DATABASE_URL/REDIS_URL are set), 100,000
## users, gunicorn, wrk; prints one table and writes bench/results/latest.md (BENCH_ARGS: --help).
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

## The same harness, tiny (small data, one short run): keeps it working; CI runs it.
bench-smoke: install
	$(BIN)/python -m bench.run --smoke $(BENCH_ARGS)

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache
