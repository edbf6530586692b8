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

.PHONY: compile run test bench lint sandbox screenshot clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Byte-compile the project up front: with PYTHONDONTWRITEBYTECODE set (as on these
# machines) every start would otherwise recompile ~300 modules before the first frame.
compile: $(STAMP)
	@$(BIN)/python -m compileall -q console adapters screens bench >/dev/null

run: compile
	$(BIN)/opsconsole $(ARGS)

sandbox: $(STAMP)
	$(BIN)/opsconsole sandbox --kubeconfig-out $(CURDIR)/.sandbox.kubeconfig $(ARGS)

test: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider $(ARGS)

bench: compile
	$(BIN)/python -m bench $(ARGS)

screenshot: $(STAMP)
	$(BIN)/python -m docs.screenshot

lint: $(STAMP)
	$(BIN)/ruff check console adapters screens tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info
