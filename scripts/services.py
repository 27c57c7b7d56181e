#!/usr/bin/env python3
"""Make sure PostgreSQL, MariaDB and Redis answer on 127.0.0.1 for the test suite.

Also installs Debian's Chromium for the browser tests when it is missing (as root); without
it those tests skip loudly, so a missing browser does not fail this script.

Checks each port; starts an installed server that is down; as root on Debian, installs a
missing one from Debian's packages and sets it up as the tests expect (PostgreSQL user
``postgres`` with trust auth and a ``test`` database, MariaDB ``root`` with no password and a
``test`` database). Prints one line per service and exits 1 if any is still missing.

    python scripts/services.py            # check and start
    python scripts/services.py --check    # check only
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    packages: tuple[str, ...]
    binary: str


SERVICES = (
    Service("postgresql", 5432, ("postgresql",), "pg_ctlcluster"),
    Service("mariadb", 3306, ("mariadb-server", "mariadb-client"), "mariadbd"),
    Service("redis", 6379, ("redis-server",), "redis-server"),
)


def answers(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for(port: int, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if answers(port):
            return True
        time.sleep(0.3)
    return False


def run(*args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, capture_output=True, text=True, check=check, stdin=subprocess.DEVNULL, timeout=600
    )


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def installed(service: Service) -> bool:
    return shutil.which(service.binary) is not None or Path(f"/usr/sbin/{service.binary}").exists()


def apt_install(packages: tuple[str, ...]) -> bool:
    if not (is_root() and shutil.which("apt-get")):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    done = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
        env=env,
        capture_output=True,
        timeout=1200,
    )
    return done.returncode == 0


def start_postgresql() -> None:
    versions = sorted(os.listdir("/etc/postgresql")) if Path("/etc/postgresql").is_dir() else []
    for version in versions:
        hba = Path(f"/etc/postgresql/{version}/main/pg_hba.conf")
        if hba.exists() and "host all all 127.0.0.1/32 trust" not in hba.read_text():
            hba.write_text(
                "local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n"
                + hba.read_text()
            )
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start")
    if wait_for(5432):
        exists = run("psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                     "select 1 from pg_database where datname='test'")  # fmt: skip
        if exists.stdout.strip() != "1":
            run("psql", "-h", "127.0.0.1", "-U", "postgres", "-c", "create database test")


def start_mariadb() -> None:
    Path("/run/mysqld").mkdir(parents=True, exist_ok=True)
    if shutil.which("chown"):
        run("chown", "mysql:mysql", "/run/mysqld")
    run("start-stop-daemon", "--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd")
    if wait_for(3306):
        run("mariadb", "-uroot", "-e", "create database if not exists test")


def start_redis() -> None:
    Path("/var/lib/redis").mkdir(parents=True, exist_ok=True)
    Path("/var/log/redis").mkdir(parents=True, exist_ok=True)
    run("redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
        "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
        "--logfile", "/var/log/redis/ci.log")  # fmt: skip


#: --no-install-recommends leaves out the fonts Chromium recommends: pages need some to render.
BROWSER_PACKAGES = ("chromium", "fonts-liberation", "fonts-dejavu-core")


def ensure_browser(check_only: bool) -> str:
    """Where Chromium is, or why the browser tests will skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found and not check_only and apt_install(BROWSER_PACKAGES):
        found = shutil.which("chromium")
    if found:
        return f"ok ({found})"
    return "missing: the browser tests will skip; as root: apt-get install -y chromium"


STARTERS = {"postgresql": start_postgresql, "mariadb": start_mariadb, "redis": start_redis}


def ensure(service: Service, check_only: bool) -> str | None:
    """None when the service answers, else why it does not."""
    if answers(service.port):
        return None
    if check_only:
        return "not answering"
    if not installed(service) and not apt_install(service.packages):
        return f"not installed; as root: apt-get install {' '.join(service.packages)}"
    STARTERS[service.name]()
    if wait_for(service.port, 30):
        return None
    return f"installed but not answering on 127.0.0.1:{service.port}; see its log"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, start nothing")
    args = parser.parse_args()
    missing = 0
    for service in SERVICES:
        problem = ensure(service, args.check)
        status = "ok" if problem is None else problem
        print(f"{service.name:<11} 127.0.0.1:{service.port}  {status}")
        missing += problem is not None
    print(f"{'chromium':<11} {'browser':<15} {ensure_browser(args.check)}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
