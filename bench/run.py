"""Run every benchmark of bench/ (bench_*.py) in turn: `make bench`.

Each benchmark works on its own database on the same server (embedded or
DATABASE_URL's), never on the development or test data, and prints its figures.
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    only = sys.argv[1:]
    for script in sorted(HERE.glob("bench_*.py")):
        if only and script.stem not in only:
            continue
        print(f"== {script.stem}", flush=True)
        runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
