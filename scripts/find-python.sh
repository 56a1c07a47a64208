#!/usr/bin/env bash
# Print the path of a Python >= 3.12: python3.13, python3.12 or python3 if new enough, else pyenv's.
set -u
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
for candidate in python3.13 python3.12 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && ok "$candidate"; then
    "$candidate" -c 'import sys; print(sys.executable)'
    exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -V); do
    if ok "$dir/bin/python3"; then echo "$dir/bin/python3"; exit 0; fi
  done
fi
echo "libyasim needs Python 3.12 or newer; install it (for example with pyenv) and retry." >&2
exit 1
