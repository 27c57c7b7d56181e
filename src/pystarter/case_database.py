"""A database of its own for each ``templates test`` case.

A database URL passed with ``--env`` (``postgresql://`` or ``mysql://``) names a server; each case
gets a new empty database there, named after the URL's with the case's tag, and it is dropped
when the case ends. Cases running side by side then never migrate or test the same database,
and the test databases a project derives from its URL (``<name>_test``, ``test_<name>``) differ
too. The server's own command-line client makes and drops it (``psql``, ``mariadb``/``mysql``),
so pystarter needs no database driver.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

#: URL schemes (before any ``+driver``) whose server gets a database per case.
SERVERS = {"postgresql": "postgresql", "postgres": "postgresql", "mysql": "mysql"}
CLIENT_TIMEOUT = 60


class NoDatabaseClient(Exception):
    """The client that would make the case's database is not on this machine: the case is
    skipped, with this as the reason."""


def server_of(url: str) -> str | None:
    """``postgresql`` or ``mysql`` for a URL of such a server, else None."""
    scheme = url.partition("://")[0].split("+")[0].lower() if "://" in url else ""
    return SERVERS.get(scheme)


@contextmanager
def fresh_database(url: str, tag: str) -> Iterator[str]:
    """``url`` pointed at a new database ``<its name>_<tag>`` (dropped afterwards); any other
    value is yielded as it is."""
    server = server_of(url)
    if server is None:
        yield url
        return
    parts = urlsplit(url)
    name = f"{(parts.path.strip('/') or 'pystarter')}_{tag}"
    run = _postgresql if server == "postgresql" else _mysql
    run(parts, f"create database {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        drop = f"drop database if exists {name}"
        run(parts, drop + (" with (force)" if server == "postgresql" else ""))


def _postgresql(parts: SplitResult, statement: str) -> None:
    client = shutil.which("psql")
    if client is None:
        raise NoDatabaseClient("needs psql to make the case's PostgreSQL database")
    url = parts._replace(scheme="postgresql", path="/postgres", query="", fragment="")
    _run([client, urlunsplit(url), "-qtAXc", statement])


def _mysql(parts: SplitResult, statement: str) -> None:
    client = shutil.which("mariadb") or shutil.which("mysql")
    if client is None:
        raise NoDatabaseClient("needs the mariadb or mysql client to make the case's database")
    args = [client, "-h", parts.hostname or "127.0.0.1"]
    if parts.port:
        args += ["-P", str(parts.port)]
    args += ["-u", unquote(parts.username or "root")]
    if parts.password:
        args.append(f"-p{unquote(parts.password)}")
    _run([*args, "-e", statement])


def _run(args: list[str]) -> None:
    try:
        completed = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=CLIENT_TIMEOUT
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise NoDatabaseClient(f"could not reach the database server: {exc}") from exc
    if completed.returncode != 0:
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        raise NoDatabaseClient(
            f"could not make the case's database: {lines[-1] if lines else 'client failed'}"
        )
