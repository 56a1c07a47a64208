"""`python -m libyasim.model`: compile the model now (or load it from the cache), and say how
long that took. The first run on a machine compiles; `make` runs this once before the tests,
so that test workers load the cache instead of compiling side by side."""

from __future__ import annotations

import time


def main() -> None:
    start = time.perf_counter()
    from libyasim.model import simulate

    simulate(None, 0)
    print(f"libyasim: the model is compiled and cached ({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
