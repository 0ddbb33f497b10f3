#!/usr/bin/env bash
# Installs, from Debian's or Ubuntu's packages, what making .venv compiles against (pyicu: ICU's
# headers, pkg-config, a C++ compiler, Python's headers) when scripts/check_python.py finds it missing.
# Uses root only when it is needed: as root directly, otherwise through sudo (GitHub's runners allow it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if "$PYTHON" scripts/check_python.py 2>/dev/null; then
  exit 0
fi
packages="libicu-dev pkg-config g++ python3-dev"
if [ "$(id -u)" = 0 ]; then
  run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo)
else
  "$PYTHON" scripts/check_python.py || true
  echo "make build-deps needs root for apt-get: run 'sudo apt-get install $packages'" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  "$PYTHON" scripts/check_python.py || true
  echo "make build-deps knows only apt-get; install ICU's headers, pkg-config and a C++ compiler with your system's packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
# shellcheck disable=SC2086
"${run[@]}" apt-get install -y -qq --no-install-recommends $packages >/dev/null
"$PYTHON" scripts/check_python.py
