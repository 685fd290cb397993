# Two commands on a fresh machine with only python3:
#   make demo   - set up .venv, build a synthetic caseload in an SQLite store, run the main job
#   make test   - set up .venv and run the whole test suite
#   make lint   - ruff (lint and format check) and mypy, as CI runs them
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo-output
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup setup-test demo test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install only when the package metadata changes (idempotent: a second run reuses the venv).
# The runtime set-up includes the workbench (ipywidgets, voila), so `tswt app` works after `make demo`.
$(VENV)/.installed-runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[app]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed-runtime
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Lint needs only the linters and the package's own dependencies (mypy reads their types),
# not the test extra (a PostgreSQL server, a browser driver, WeasyPrint, Dask).
$(VENV)/.installed-lint: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed-runtime
setup-test: $(VENV)/.installed-test

# The demo's reliable-change constants are ILLUSTRATIVE (no SDQ constant is confirmed in a
# primary source; a team supplies its own): see the file's header.
DEMO_CONSTANTS := tswt_formulation/measures/examples/demo_constants.yaml

demo: setup
	@mkdir -p $(DEMO)
	@rm -rf $(DEMO)/demo.sqlite $(DEMO)/demo.sqlite-wal $(DEMO)/demo.sqlite-shm $(DEMO)/reports
	$(BIN)/tswt demo --store $(DEMO)/demo.sqlite --cases 60 --seed 1
	$(BIN)/tswt caseload --store $(DEMO)/demo.sqlite --user t.harper
	$(BIN)/tswt reports --all --kind formulation --store $(DEMO)/demo.sqlite --user dr.r.ahmed --out $(DEMO)/reports
	$(BIN)/tswt reports --all --kind outcomes --constants $(DEMO_CONSTANTS) --store $(DEMO)/demo.sqlite --user dr.r.ahmed --out $(DEMO)/reports
	$(BIN)/tswt reports --kind review --constants $(DEMO_CONSTANTS) --store $(DEMO)/demo.sqlite --user dr.r.ahmed --out $(DEMO)/reports
	@echo
	@echo "Synthetic caseload: $(DEMO)/demo.sqlite"
	@echo "Reports (open in a browser): $(DEMO)/reports/  e.g. $(DEMO)/reports/TSW-900001_formulation.html"
	@echo "Outcomes reports:            $$(ls $(DEMO)/reports/*_outcomes.html | wc -l) of 60 children (those with measures)"
	@echo "Caseload review:             $$(ls $(DEMO)/reports/caseload_review_*.html)"
	@echo
	@echo "To use the tswt command in this shell, put it on your path and point it at the demo:"
	@echo "  . .venv/bin/activate"
	@echo "  export TSWT_STORE=$(CURDIR)/$(DEMO)/demo.sqlite"
	@echo "  export TSWT_USER=t.harper    # a training store: act as any of its staff (tswt staff list)"
	@echo "  tswt caseload --overdue"
	@echo
	@echo "The workbench (forms in the browser, this machine only), as the demo's worker:"
	@echo "  tswt app --user c.mensah"
	@echo "then open the address it prints. In JupyterLab: notebooks/workbench.ipynb"

test: setup-test
	$(BIN)/python -m pytest

bench: setup-test
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The paths are the same as in .pre-commit-config.yaml; mypy's are in pyproject.toml.
LINTED := tswt_formulation tests bench

lint: $(VENV)/.installed-lint
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .hypothesis
