# qmskit: two commands do all the set-up on a fresh machine — `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# the install stamp is named by pyproject.toml's content: a checkout or merge that only touches the file
# (a new mtime, same dependencies) re-installs nothing; a changed pyproject.toml names a new stamp
STAMP  := $(VENV)/.qmskit-installed-$(shell $(PYTHON) -c "import hashlib,sys; print(hashlib.sha256(open('pyproject.toml','rb').read()).hexdigest()[:16])")
OUT    ?= reports
# Python caches bytecode as usual for everything make runs, even where the environment says not to
# (PYTHONDONTWRITEBYTECODE=1 here): the install leaves compiling to first import, and without the cache every
# kernel, CLI and worker process of `make test` would compile qmskit and what it imports from source again.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: demo test test-times lint bench lab install system-deps clean catalog

$(BIN)/python:
	@bash scripts/make-venv.sh "$(PYTHON)" "$(VENV)"

# Re-install only when the project metadata changed (idempotent and fast otherwise): uv when it can be had
# (same index, same versions, several times faster), else pip (scripts/install-deps.sh says why).
$(STAMP): | $(BIN)/python
	@bash scripts/install-deps.sh "$(VENV)" '.[test,dask,pdf]'
	@rm -f $(VENV)/.qmskit-installed*
	@touch $(STAMP)

install: $(STAMP)

# the demo prints PDFs too: Chromium, a CJK font and poppler are installed first (as root)
demo: $(STAMP) system-deps
	$(BIN)/python scripts/demo.py --out "$(OUT)"

system-deps:
	@bash scripts/ensure-chromium.sh

# ruff (pyflakes, style, imports, bugbear) over all Python, and mypy over the modules listed in
# [tool.mypy] files of pyproject.toml; both must be clean: CI runs `make test`.
lint: $(STAMP)
	$(BIN)/ruff check qmskit tests benchmarks scripts
	$(BIN)/mypy

# the suite on every core (pytest-xdist): each test file's tests on one worker (--dist loadfile), so its
# module fixtures (a batch, a rendered report, a JupyterLab server) are built once; TEST_WORKERS=0 runs it in
# this process. (--dist loadgroup, groups across files, grouped nothing here with pytest 9.2 + xdist 3.8.)
# --no-loadscope-reorder: xdist would otherwise hand out the files with the most tests first, not the longest
# first as tests/conftest.py orders them (by tests/file_times.txt; `make test-times` measures it again).
# ruff first (a second); mypy (one core for ~30 s cold) runs beside the suite rather than before it, and
# either failing fails `make test`, mypy's report printed after the suite's.
TEST_WORKERS ?= auto
test: $(STAMP)
	@bash scripts/ensure-chromium.sh --tests
	$(BIN)/ruff check qmskit tests benchmarks scripts
	@$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & mypy=$$!; \
	$(BIN)/python -m pytest -ra -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder; tests=$$?; \
	wait $$mypy; typed=$$?; echo "mypy:"; cat $(VENV)/mypy.log; \
	[ $$tests -eq 0 ] && [ $$typed -eq 0 ]

# the suite as `make test` runs it, rewriting tests/file_times.txt (each file's seconds, the order it runs in)
test-times: $(STAMP)
	QMSKIT_TEST_TIMES=tests/file_times.txt $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_scoring.py
	$(BIN)/python benchmarks/bench_scale.py   # one office at the floor, score_many at 100,000 offices, reading 100 workbooks
	@if [ -f benchmarks/bench_widgets.py ]; then $(BIN)/python benchmarks/bench_widgets.py; fi
	$(BIN)/python benchmarks/bench_targets.py   # issue 15's targets, each a ratio measured in this run
	$(BIN)/python benchmarks/bench_sections.py   # the report's section renderers: CPU ms per office (Hillview, Riverside)
	@if [ -f benchmarks/bench_pdf.py ]; then $(BIN)/python benchmarks/bench_pdf.py; fi

# Sort the message catalogs (qmskit/i18n/locale/*/LC_MESSAGES/qmskit.po) and recompile their .mo files;
# run after editing a .po and commit both (tests/i18n fails on a stale .mo).
catalog: $(STAMP)
	$(BIN)/python scripts/catalog.py

# Prints the URL with its token; root (as on CI-like machines) needs --allow-root.
lab: $(STAMP)
	$(BIN)/jupyter lab --no-browser --ip=127.0.0.1 --notebook-dir=notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean:
	rm -rf $(VENV) build *.egg-info reports
