# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STACK ?= dev
STAMP := $(VENV)/.installed

.PHONY: setup test demo plan docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test: setup
	$(BIN)/pytest

demo: setup
	$(BIN)/lakehouse plan --stack dev
	$(BIN)/lakehouse plan --stack prod --graph out/prod-plan.md
	@echo "Diagram of the prod plan: out/prod-plan.md"

plan: setup
	$(BIN)/lakehouse plan --stack $(STACK)

docs: setup
	$(BIN)/lakehouse docs --write

clean:
	rm -rf $(VENV) out .pytest_cache
