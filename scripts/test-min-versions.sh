#!/usr/bin/env bash
# Install the core of libyasim at the lowest versions its pyproject.toml allows, in a fresh
# virtual environment without any extra, and run the quick tests there: the declared lower
# bounds are tested, and a core-only install runs scenarios, compare and report.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-$(scripts/find-python.sh)}
VENV=${MIN_VENV:-build/min-venv}
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
# every core requirement NAME>=X pinned to NAME==X
"$VENV/bin/python" - > "$VENV/constraints.txt" <<'PY'
import re, tomllib
for req in tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]:
    m = re.match(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?\s*>=\s*([^,;\s]+)", req)
    if not m:
        raise SystemExit(f"no lower bound in core requirement {req!r}")
    print(f"{m[1]}=={m[3]}")
PY
echo "minimum versions: $(tr '\n' ' ' < "$VENV/constraints.txt")"
"$VENV/bin/pip" install --quiet -c "$VENV/constraints.txt" . pytest 2>&1 | grep -v "^WARNING: Location" || true
"$VENV/bin/python" -c "import libyasim" # the install above must have worked
cd tests  # import the installed package, not the sources
"../$VENV/bin/python" -m pytest -q -p no:cacheprovider -m "not slow" \
    test_core_install.py test_outcomes.py test_scenario.py
