#!/usr/bin/env bash
# Create the project's virtualenv with the machine's python3. Debian ships venv separately
# (python3-venv); install it when we are root and it is missing.
set -euo pipefail
py="$1"; venv="$2"
if ! "$py" -m venv "$venv" 2>/dev/null; then
  rm -rf "$venv"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "python3 -m venv failed: installing Debian's python3-venv" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$py" -m venv "$venv"
  else
    echo "error: '$py -m venv' failed; install your distribution's python3-venv package" >&2
    exit 1
  fi
fi
