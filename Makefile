# The course's commands. `make lab` and `make test` are the two a newcomer needs;
# both create and fill the virtual environment .venv/ on first use.

PYTHON ?= python3
# The virtual environment's folder: `make test PYTHON=python3.12 VENV=.venv-3.12` keeps one
# environment per Python side by side (`make test-all` does that for every Python it finds).
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# What the website, the slides and the real-browser test need besides (make site, slides,
# browser): their extras, and the npm packages of the site and the slides, installed once for
# both (docs/package-lock.json).
SITE_STAMP    := $(VENV)/.site-installed
BROWSER_STAMP := $(VENV)/.browser-installed
NPM_STAMP     := docs/node_modules/.installed
# The notebook runs: each edition's notebooks (English in notebooks/, Chinese in notebooks/zh/)
# under a start method (fork, spawn, forkserver), or on a simulated platform without fork, as
# Windows is (spawn-only, tools/spawn_only.py). `make test-all` runs all eight, on every Python.
# `make test` runs three, to stay within five minutes on a 2-core machine: the course's code,
# which is the same in both editions (tests/test_editions.py), under fork, spawn and the
# spawn-only platform, and each edition's stored outputs at least once; forkserver is left to
# `make test-all`. `make test NOTEBOOK_RUNS=notebooks-spawn` runs only what you name.
ALL_NOTEBOOK_RUNS := $(foreach edition,notebooks notebooks-zh,\
                       $(addprefix $(edition)-,fork spawn forkserver spawn-only))
NOTEBOOK_RUNS ?= notebooks-zh-spawn notebooks-zh-spawn-only notebooks-fork
# These runs are a learner's Run All (`--learner`, conftest.py): no solution runs, and each
# must only say so; the solutions' own outputs are compared in the other runs.
LEARNER_RUNS ?= notebooks-zh-spawn-only
# A hung cell fails after this many seconds. A cell takes a few seconds at most on a quiet
# machine; `make test` runs its suites side by side on two cores, where chapter 03's quick
# `make bench` (a dozen pools and a cluster, 10 s when quiet) has taken over a minute.
CELL_TIMEOUT ?= 150
# A kernel that has not started after this many seconds fails its notebook. nbval waits 60 s by
# default; with the site and the slides built beside the runs, one kernel of 44 took longer.
KERNEL_TIMEOUT ?= 180
# pytest-xdist workers: for the unit tests, and for each start method's notebooks (one
# notebook per worker). Most of a test's time is spent waiting (kernels and children starting,
# sleeps), so more workers than cores pay. `make test` runs the five runs side by side.
# Measured with `make test` on this 2-core machine: 4 unit workers 260 s, 6 workers 193 s,
# 8 workers 201 s. `--dist worksteal` and the `slow` tests first (conftest.py) keep the
# workers busy to the end.
UNIT_JOBS ?= 6
# How many of those suites (the unit tests, each notebook run, the browser test) `make test`
# runs at once, in that order: the heaviest first, the browser test (mostly waiting) last.
# Each spreads over several processes already. Measured with `make test` on this 2-core
# machine: with four notebook runs, all six suites at once 400 s wall and 695 CPU-s (timers,
# polls and heartbeats tick for longer), three at a time 344 s and 600 CPU-s; with three runs,
# three at a time 296 s, four 285 s, four with the browser test last 282 s and 491 CPU-s.
SUITE_JOBS ?= 4
NOTEBOOK_JOBS ?= 2
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with notebooks/sanitize.cfg \
         --nbval-cell-timeout=$(CELL_TIMEOUT) --nbval-kernel-startup-timeout=$(KERNEL_TIMEOUT) \
         -p no:cacheprovider
BENCH_START_METHOD ?=

# The suite starts hundreds of Pythons: let them cache compiled modules (__pycache__/, ignored by
# git) even where the environment says not to (PYTHONDONTWRITEBYTECODE=1 costs every process
# that imports the course's modules and tests a second or two of compiling).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help setup lab test test-all unit notebooks lint outputs bench clean site slides browser doctor \
        browser-test \
        clean-site
LEARNER = $(if $(filter $@,$(LEARNER_RUNS)),--learner)
help:
	@echo "make lab      open the course in JupyterLab (http://127.0.0.1, token required)"
	@echo "make test     lint; unit tests, $(NOTEBOOK_RUNS), site and slides side by side; the browser test"
	@echo "make test-all make test with all eight notebook runs, under every Python >= 3.11 found"
	@echo "make outputs  re-execute the notebooks and store their outputs"
	@echo "make bench    measure this machine (BENCH_START_METHOD=fork|spawn|forkserver)"
	@echo "make site     build the course as a website in docs/_build/html, English and Chinese (works offline)"
	@echo "make slides   build every chapter as slides in docs/_build/slides, English and Chinese (works offline)"
	@echo "make doctor   check that this machine is ready for the class"
	@echo "make browser  the real-browser test: JupyterLab, a site page and a slide in headless Chromium"
	@echo "make clean    remove .venv and caches"

# The environment is rebuilt only when pyproject.toml changes (or .venv is missing).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "The course needs Python >= 3.11; run: make PYTHON=python3.12 ...")'
	@$(BIN)/python -c '' 2>/dev/null || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

setup: $(STAMP)

lab: $(STAMP)
	$(BIN)/python -m tools.lab

lint: $(STAMP)
	$(BIN)/python -m ruff check .

# The tests of the site, the slides and the browser run in `make site`, `make slides` and
# `make browser` (after their builds), not here, where a build may be half written.
unit: $(STAMP)
	$(BIN)/python -m pytest -n $(UNIT_JOBS) --dist worksteal --doctest-modules \
		--ignore=tests/test_site.py --ignore=tests/test_slides.py --ignore=tests/test_browser.py \
		helpers tests

notebooks: $(STAMP)
	@$(MAKE) --no-print-directory -j --output-sync=target $(NOTEBOOK_RUNS)

notebooks-%: $(STAMP)
	@echo "=== English notebooks under the '$*' start method $(LEARNER) ==="
	$(BIN)/python -m pytest $(NBVAL) -n $(NOTEBOOK_JOBS) --dist loadfile --start-method=$* \
		$(LEARNER) --ignore=notebooks/zh notebooks

notebooks-zh-%: $(STAMP)
	@echo "=== Chinese notebooks under the '$*' start method $(LEARNER) ==="
	$(BIN)/python -m pytest $(NBVAL) -n $(NOTEBOOK_JOBS) --dist loadfile --start-method=$* \
		$(LEARNER) notebooks/zh

# On a simulated spawn-only platform (no fork, as on Windows): the cells tagged `platform`
# (what the machine offers) run there without their outputs compared.
notebooks-spawn-only: $(STAMP)
	@echo "=== English notebooks on a spawn-only platform (simulated) $(LEARNER) ==="
	$(BIN)/python -m pytest $(NBVAL) -n $(NOTEBOOK_JOBS) --dist loadfile --start-method=spawn \
		--platform=spawn-only $(LEARNER) --ignore=notebooks/zh notebooks

notebooks-zh-spawn-only: $(STAMP)
	@echo "=== Chinese notebooks on a spawn-only platform (simulated) $(LEARNER) ==="
	$(BIN)/python -m pytest $(NBVAL) -n $(NOTEBOOK_JOBS) --dist loadfile --start-method=spawn \
		--platform=spawn-only $(LEARNER) notebooks/zh

# Lint and install first (the site's, the slides' and the browser test's tools: nothing may
# install into .venv while tests run from it); then build the site and the slides, side by
# side (each ends with its own test of the build); then, side by side, the unit tests, the
# notebook runs and the real-browser test. (The harness's checks for leftover processes and
# /dev/shm files look only at what each run started or named itself, so JupyterLab and
# Chromium beside the runs do not disturb them.) The builds come first because the browser
# test needs them: started beside the suites, they took three minutes instead of twenty
# seconds, and the browser test after them ended the suite.
test: lint $(SITE_STAMP) $(NPM_STAMP) $(BROWSER_STAMP)
	@$(MAKE) --no-print-directory -j --output-sync=target site slides
	@$(MAKE) --no-print-directory -j $(SUITE_JOBS) --output-sync=target unit $(NOTEBOOK_RUNS) \
		browser-test
	@echo "=== all green: lint, site, slides, unit tests, $(strip $(NOTEBOOK_RUNS)), browser ==="

# `make test` under every Python >= 3.11 on this machine (PATH, pyenv), each in its own
# environment .venv-3.NN/, one Python after another; one line per Python at the end.
test-all:
	MAKE="$(MAKE)" NOTEBOOK_RUNS="$(strip $(ALL_NOTEBOOK_RUNS))" $(PYTHON) -m tools.test_all

outputs: $(STAMP)
	$(BIN)/python -m tools.execute_notebooks notebooks notebooks/zh

bench: $(STAMP)
	$(BIN)/python -m tools.bench $(if $(BENCH_START_METHOD),--start-method $(BENCH_START_METHOD))

# The course as a static website in docs/_build/html (tools/site.py). Its tools are installed
# on first use: Sphinx and myst-nb (the `site` extra), MathJax 3 from the npm registry
# (docs/package-lock.json), a CJK font from Debian's fonts-noto-cjk. The build itself needs no
# network, and its last step is the test that no page loads anything from outside.
# The font is installed here, once, before `make test` builds the site and the slides side by
# side (both need it; two apt-get at once would fight over apt's lock).
$(SITE_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,site]'
	$(BIN)/python -m tools.site font
	@touch $(SITE_STAMP)

$(NPM_STAMP): docs/package.json docs/package-lock.json $(STAMP)
	$(BIN)/python -m tools.slides npm
	@touch $(NPM_STAMP)

site: $(SITE_STAMP) $(NPM_STAMP)
	$(BIN)/python -m tools.site font
	$(BIN)/python -m tools.site build
	COURSE_SITE_REQUIRED=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_site.py

# Every chapter of both editions (English, and Chinese in zh/) as reveal.js slides in
# docs/_build/slides (tools/slides.py): nbconvert's export of the stored outputs, cut where each
# notebook's slide metadata says. reveal.js 5, jQuery, require.js and MathJax 2 come from the
# npm registry (docs/package-lock.json) and are copied beside the slides; the Chinese is drawn
# with a CJK font subset, cut with the site's tools (the `site` extra, fonts-noto-cjk). The
# build needs no network; its last step is the test that no slide loads anything from outside.
slides: $(SITE_STAMP) $(NPM_STAMP)
	$(BIN)/python -m tools.site font
	$(BIN)/python -m tools.slides build
	COURSE_SLIDES_REQUIRED=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_slides.py

# The real-browser test (tests/test_browser.py): JupyterLab on a copy of the notebooks, a page
# of the site and a slide, in headless Chromium driven by Playwright, with every request to
# outside blocked and counted as a failure. Its own stamp installs the `browser` extra and
# makes sure Chromium is there (tools/browser.py: apt-get as root, else it says what to
# install). COURSE_BROWSER_TEST=1 turns the test on, and every missing piece into a failure;
# elsewhere (make unit) it is skipped. Screenshots: docs/_build/screenshots/.

$(BROWSER_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,browser,rise]'
	$(BIN)/python -m tools.browser install
	@touch $(BROWSER_STAMP)

BROWSER_TEST := COURSE_BROWSER_TEST=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_browser.py

browser: $(BROWSER_STAMP) site slides
	$(BROWSER_TEST)

# The browser test alone, on the site and the slides as they are built (`make test`).
browser-test: $(BROWSER_STAMP)
	$(BROWSER_TEST)

# The pre-class check (tools/doctor.py): with the course's environment when there is one,
# else with $(PYTHON); it installs nothing, it only says what to do.
# A Python older than 3.8 cannot even read tools/doctor.py: it gets the doctor's verdict here.
doctor:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m tools.doctor; else \
	  $(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 8) else "PROBLEM  Python %d.%d is too old: the course needs 3.11 or newer.\n         What to do: install Python 3.12 (python.org, your package manager, or conda), then run: make doctor PYTHON=python3.12" % sys.version_info[:2])' \
	  && $(PYTHON) -m tools.doctor; fi

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info

# The website's and the slides' builds (both in docs/_build) and their npm packages (`make site`
# and `make slides` make them again).
clean-site:
	rm -rf docs/_build docs/node_modules
