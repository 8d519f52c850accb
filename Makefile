# The documented way to do everything. `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := lms:create_app

.PHONY: run test test-sqlite test-postgres lint i18n demo sync clean bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## Start a working system on http://127.0.0.1:5000 (SQLite in instance/, curricula loaded, demo accounts).
run: $(STAMP)
	$(BIN)/lms db upgrade
	$(BIN)/lms content sync
	$(BIN)/lms demo
	$(BIN)/lms reports refresh
	$(BIN)/lms run --host 127.0.0.1 --port 5000

## The whole suite: SQLite always; PostgreSQL too when LMS_TEST_DATABASE_URL is set.
test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

## Extract, merge and compile every feature's message catalog (fill the Japanese msgstr values, then run again).
i18n: $(STAMP)
	$(BIN)/python scripts/i18n.py update

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
