"""How long `flask --app wsgi seed-demo --participants N` takes on a new SQLite database.

    .venv/bin/python bench/seed_demo.py [N]
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    participants = sys.argv[1] if len(sys.argv) > 1 else "1000"
    with tempfile.TemporaryDirectory() as directory:
        environment = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{directory}/bench.db",
            "SECRET_KEY": "benchmark",
        }
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [*flask, "seed-demo", "--participants", participants],
            cwd=ROOT, env=environment, check=True, capture_output=True,
        )
        elapsed = time.perf_counter() - started
    print(f"seed-demo --participants {participants} on a new SQLite database: {elapsed:.2f} s "
          "(whole command: start-up, migrations, demo data)")


if __name__ == "__main__":
    main()
