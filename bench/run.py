"""Run every benchmark of bench/ (bench_*.py) in turn: `make bench`.

Each benchmark works on its own database on the same server (embedded or
DATABASE_URL's), never on the development or test data, and prints its figures.
Each runs in a process of its own: Django is set up once per process, so a second
benchmark run in the same process would read the first one's database.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    only = sys.argv[1:]
    for script in sorted(HERE.glob("bench_*.py")):
        if only and script.stem not in only:
            continue
        print(f"== {script.stem}", flush=True)
        subprocess.run([sys.executable, str(script)], check=True)


if __name__ == "__main__":
    main()
