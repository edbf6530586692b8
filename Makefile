# opsconsole — the development loop.
#   make run    set up .venv (first time) and open the console (sandbox when nothing is configured)
#   make test   set up .venv (first time) and run the whole test suite
#   make bench  print the performance figures (bench/)
#   make lint   ruff + mypy
#   make screenshot  regenerate docs/*.svg from the app on the sandbox

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ARGS   ?=

.PHONY: run test bench lint sandbox screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

run: $(STAMP)
	$(BIN)/opsconsole $(ARGS)

sandbox: $(STAMP)
	$(BIN)/opsconsole sandbox --kubeconfig-out $(CURDIR)/.sandbox.kubeconfig $(ARGS)

test: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

screenshot: $(STAMP)
	$(BIN)/python -m docs.screenshot

lint: $(STAMP)
	$(BIN)/ruff check console adapters screens tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
