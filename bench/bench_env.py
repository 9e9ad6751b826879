"""What the bench scripts share: the peers' Python environment
(`.venv-bench`, from bench/requirements-peers.txt), the emulator's (`.venv`,
as ./scripts/test makes it) and waiting for a server.

A script that needs the peers calls `reexec_in_bench_venv()` first; it makes
the venv once (or again when the requirements change) and re-runs the
script inside it.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-bench"
REQUIREMENTS = ROOT / "bench/requirements-peers.txt"


def reexec_in_bench_venv():
    python = VENV / "bin/python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    stamp = VENV / "requirements.stamp"
    wanted = REQUIREMENTS.read_text()
    if not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted)
    os.execv(str(python), [str(python), *sys.argv])


def emulator_python():
    """The Python of `.venv` (moto, from scripts/requirements-test.txt), made
    here as `./scripts/test` makes it if it is missing or stale, so a script
    that runs the emulator works on a fresh clone by itself."""
    venv = ROOT / ".venv"
    requirements = ROOT / "scripts/requirements-test.txt"
    stamp = venv / "requirements.stamp"
    wanted = requirements.read_text()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("preparing .venv (moto) as ./scripts/test does …", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin/pip"), "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(requirements)], check=True)
        stamp.write_text(wanted)
    return venv / "bin/python"


def wait_for(url, seconds=60):
    """Returns once `url` answers at all (any HTTP status)."""
    for _ in range(seconds * 10):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")
