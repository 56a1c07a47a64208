#!/usr/bin/env bash
# Install Chromium for the browser tests of the app, when this machine allows it: Debian's
# chromium at /usr/bin/chromium, with apt-get as root or with sudo. Nothing else needs it: the
# app's web files come with the Python install (solara-assets), and without a browser the
# browser tests skip with their reason. Never fails for want of rights; quiet when installed.
set -u
BROWSER=/usr/bin/chromium

[ -x "$BROWSER" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
else
  echo "install-browser: $BROWSER is missing and installing it needs root or sudo;" \
       "the browser tests will be skipped (everything else works without it)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install Chromium so that $BROWSER exists to run" \
       "the browser tests (they are skipped until then)" >&2
  exit 0
fi
echo "installing chromium (for the browser tests of the app)..." >&2
export DEBIAN_FRONTEND=noninteractive
if ! { $SUDO apt-get update -qq >/dev/null \
       && $SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null; }; then
  echo "install-browser: could not install chromium; the browser tests will be skipped" >&2
fi
exit 0
