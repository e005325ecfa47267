# The two commands a newcomer needs: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STACK ?= dev
STAMP := $(VENV)/.installed

.PHONY: setup java checkov test lint demo plan docs bench clean

setup: java $(STAMP)

# Spark runs on the JVM: Java 17 (as on AWS Glue 5.1); 11 works too.
java:
	@command -v java >/dev/null || { echo "Java 17 is required for Spark (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@java -version 2>&1 | head -1 | grep -Eq '"(1[1-9]|2[0-9])[."]' || { echo "Java 11+ is required for Spark, found: $$(java -version 2>&1 | head -1)"; exit 1; }

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

test: setup checkov lint
	$(BIN)/pytest

CHECKOV_VENV := .venv-checkov
# Checkov cross-checks the policy pack (tests/lakehouse/preview/test_checkov.py); kept out of the platform's dependencies.
checkov: $(CHECKOV_VENV)/.installed
$(CHECKOV_VENV)/.installed:
	@test -d $(CHECKOV_VENV) || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet 'checkov==3.3.30' 'cloudsplaining==0.7.0'
	@touch $@

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy components etl lakehouse

demo: setup
	$(BIN)/lakehouse plan --stack dev
	$(BIN)/lakehouse plan --stack prod --graph out/prod-plan.md
	$(BIN)/lakehouse demo --out out/demo
	@echo "Diagram of the prod plan: out/prod-plan.md; gold report: out/demo/report.html"

plan: setup
	$(BIN)/lakehouse plan --stack $(STACK)

docs: setup
	$(BIN)/lakehouse docs --write

bench: setup
	$(BIN)/python bench/benchmark.py --scales 1 --json out/bench.json

clean:
	rm -rf $(VENV) .venv-checkov out .pytest_cache
