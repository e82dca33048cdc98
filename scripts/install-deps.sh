#!/usr/bin/env bash
# Install qmskit (editable, with the extras given) and its dependencies into the project's virtualenv.
# uv, itself installed from PyPI into the virtualenv, resolves the same versions from the same index as pip
# (checked: identical pins for '.[test,dask,pdf]') in a fraction of the time: it downloads in parallel and
# leaves byte-compiling to first import, where pip compiles all ~150 packages (~50 s of CPU, most of it
# for modules no test imports). pip stays the fallback whenever uv cannot be had or fails.
set -euo pipefail
venv="$1"; spec="$2"
bin="$venv/bin"
if [ ! -x "$bin/uv" ]; then
  "$bin/python" -m pip install -q 'uv>=0.5' || echo "note: uv could not be installed; installing with pip" >&2
fi
if [ -x "$bin/uv" ] && "$bin/uv" pip install -q --python "$bin/python" -e "$spec"; then
  :
else
  [ -x "$bin/uv" ] && echo "note: uv failed; installing with pip" >&2
  "$bin/python" -m pip install -q --upgrade pip
  "$bin/python" -m pip install -q -e "$spec"
fi
"$bin/python" -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (qmskit)" >/dev/null
