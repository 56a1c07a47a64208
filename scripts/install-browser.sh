#!/usr/bin/env bash
# Install what the browser test of the app needs, skipping whatever is already there:
#  1. Debian's chromium at /usr/bin/chromium (as root, or with sudo);
#  2. Solara's front-end files (normally fetched from a CDN when the page loads), from the npm
#     registry into Solara's asset cache, so that the app's page also works offline.
# Quiet when everything is installed. PY names the project's Python (default .venv/bin/python).
set -eu
BROWSER=/usr/bin/chromium
PY=${PY:-.venv/bin/python}

if [ ! -x "$BROWSER" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: $BROWSER is missing; installing chromium needs root or sudo" >&2
    exit 1
  fi
  command -v apt-get >/dev/null 2>&1 || {
    echo "install-browser: no apt-get here; install Chromium so that $BROWSER exists" >&2; exit 1; }
  echo "installing chromium (for the browser test of the app)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -x "$BROWSER" ] || { echo "install-browser: $BROWSER still missing" >&2; exit 1; }
fi

read -r CACHE SOLARA < <("$PY" -c 'import pathlib, solara
from solara.server import settings
print(settings.assets.proxy_cache_dir, pathlib.Path(solara.__file__).parent)')
# every front-end package (name@version) that Solara's code loads from the CDN
SPECS=$(grep -rhoE "(@widgetti/[a-z0-9-]+|requirejs|mermaid|katex|font-awesome)@[0-9][0-9A-Za-z.-]*[0-9A-Za-z]" \
  --include=*.py --include=*.vue --include=*.j2 --include=*.js "$SOLARA" | sort -u)
for spec in $SPECS; do
  [ -d "$CACHE/$spec" ] && continue
  command -v npm >/dev/null 2>&1 || { echo "install-browser: npm is needed to fetch $spec" >&2; exit 1; }
  echo "fetching $spec for the app's web page..." >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  mkdir -p "$(dirname "$CACHE/$spec")"
  mv "$tmp/package" "$CACHE/$spec"
  rm -rf "$tmp"
done
