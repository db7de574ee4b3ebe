# coop — the two commands a newcomer needs: `make run` and `make test`.
VENV   ?= .venv
PYTHON ?= python3
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP = coop

.PHONY: run test test-sqlite test-postgres install install-test translations extract-messages update-catalogs bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	npm ci --no-audit --no-fund
	touch $@

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Compiled catalogs (.mo) are built from the committed .po files, never committed.
translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d coop/translations

run: install
	COOP_ENV=development $(BIN)/flask db upgrade
	COOP_ENV=development $(BIN)/flask coop demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/ — stop with Ctrl+C."
	COOP_ENV=development $(BIN)/flask run --host $(HOST) --port $(PORT)

# The whole suite on SQLite; again on PostgreSQL when COOP_TEST_DATABASE_URL is set.
test: install-test
	$(BIN)/python -m pytest
	@if [ -n "$$COOP_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL"; \
	  COOP_TEST_BACKEND=postgresql $(BIN)/python -m pytest; \
	else \
	  echo "(COOP_TEST_DATABASE_URL not set: PostgreSQL run skipped)"; \
	fi

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --ignore-dirs ".* node_modules" \
	  --omit-header -w 100 -o coop/translations/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i coop/translations/messages.pot -d coop/translations \
	  -w 100 --no-fuzzy-matching --ignore-pot-creation-date
	$(BIN)/python scripts/fill_english_catalog.py

bench: install-test
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
