# Two commands do all the set-up:
#   make baseline   install into .venv and run the baseline scenario with its plots (results/baseline)
#   make test       install into .venv (with test tools and Chromium) and run the whole test suite
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: baseline test install clean

$(STAMP): pyproject.toml
	@test -x $(PY) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

baseline: $(STAMP)
	$(VENV)/bin/libyasim run scenarios/baseline.toml --out results/baseline

test: $(STAMP)
	scripts/install-browser.sh
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) results
