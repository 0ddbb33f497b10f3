#!/usr/bin/env bash
# Makes sure the browser tests have a Chromium (`make test` runs this first).
#
#   bash scripts/install-browser.sh            find one (scripts/find_browser.py); if there is none,
#                                              fetch Playwright's Chromium into ~/.cache/ms-playwright
#                                              (no root; GitHub-hosted runners can fetch it)
#   sudo bash scripts/install-browser.sh --system
#                                              install Debian's chromium package with apt-get instead
#
# Root is used only when asked for with --system, or when the script already runs as root (CI in a
# container), where apt-get is the one way that needs no download host besides Debian's mirrors.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=.venv/bin/python
[ -x "$PYTHON" ] || PYTHON=python3
system=no
for arg in "$@"; do
  case "$arg" in
    --system) system=yes ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "install-browser.sh: unknown option '$arg' (use --system or nothing)" >&2; exit 2 ;;
  esac
done

found() { "$PYTHON" scripts/find_browser.py 2>/dev/null; }

if [ "$system" = no ] && found; then
  exit 0
fi

if [ "$system" = yes ] || { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-browser.sh --system installs a Debian package: run 'sudo bash scripts/install-browser.sh --system'" >&2
    exit 1
  fi
  echo "installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
  if found; then exit 0; fi
  # Ubuntu's chromium package is only a stub asking for snap: fall through to Playwright's own.
fi

echo "no browser found: fetching Playwright's Chromium into ~/.cache/ms-playwright (no root needed)" >&2
if "$PYTHON" -m playwright install chromium >&2 && found; then
  exit 0
fi
"$PYTHON" scripts/find_browser.py  # prints what to run
