"""Starting the review service as its own OS user, and finding it.

On the pipeline host everything else may run as root or as a pipeline user;
the service must not. ``start`` (called as root by ``make demo`` and the
tests) launches ``fivestar service serve`` as ``fivestar-review`` with a
Python interpreter that user can execute (the system interpreter's
environment built by ``scripts/setup.sh``: the project's own may live in a
home folder other users cannot enter).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from pipelines import paths
from pipelines.release.home import SERVICE_USER, ServiceHome, service_user_exists

#: The environment on /usr/bin/python3.11 that non-root users can run (scripts/setup.sh).
SYSTEM_VENV_ENV = "FIVESTAR_SYSTEM_VENV"


def system_venv() -> Path:
    return Path(os.environ.get(SYSTEM_VENV_ENV) or paths.CACHE_DIR / "system-venv")


def service_python() -> str:
    """The interpreter the service user runs: the system venv when it exists."""
    candidate = system_venv() / "bin" / "python"
    return str(candidate) if candidate.exists() else sys.executable


def separated() -> bool:
    """True when the service can run as its own OS user (we are root and it exists)."""
    return os.geteuid() == 0 and service_user_exists()


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def start(home: Path, port: int, log_path: Path, *, host: str = "127.0.0.1",
          extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """Launch the service in the background (as ``fivestar-review`` when we are root)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FIVESTAR_REVIEW_TOKEN",
                                                                     "FIVESTAR_PASSWORD"))}
    for var in ("FIVESTAR_FUSEKI_PASSWORD", "FIVESTAR_FUSEKI_PASSWORD_FILE"):
        env.pop(var, None)  # the pipeline's login: the service never uses it
    env.update({"HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1",
                # the triple store publisher's password, from the service's own home (0600)
                "FIVESTAR_FUSEKI_PUBLISHER_PASSWORD_FILE":
                    str(ServiceHome(Path(home)).fuseki_password_path),
                **(extra_env or {})})
    cmd = [service_python(), "-m", "pipelines.review.service", "serve", "--home", str(home),
           "--host", host, "--port", str(port)]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as out:
        kwargs: dict = {}
        if separated():
            kwargs = {"user": SERVICE_USER, "group": SERVICE_USER, "extra_groups": []}
        return subprocess.Popen(cmd, cwd=paths.ROOT, env=env, stdout=out, stderr=out,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                umask=0o077, **kwargs)


def wait_ready(url: str, proc: subprocess.Popen | None = None, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return False


def main(argv: list[str] | None = None) -> None:  # pragma: no cover - process entry point
    import argparse

    from pipelines.review import serve

    parser = argparse.ArgumentParser(prog="pipelines.review.service")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("serve")
    p.add_argument("--home", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    serve(Path(args.home), host=args.host, port=args.port)


if __name__ == "__main__":  # pragma: no cover
    main()
