"""Render built-in templates and prove the generated projects work, for real.

``check_project`` installs a rendered project in a fresh venv with uv (shared cache), points
it at a fresh database on the real server its answers name, runs its own tests and linters,
starts it with its run command and asks ``/health``. ``runtime_combos`` and
``syntax_combos`` derive the option sets to render from pystarter's option table.
"""

from __future__ import annotations

import glob
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from pystarter.options import (
    INTERACTING_PAIRS,
    OPTIONS,
    PYTHON_VERSIONS,
    allowed_choices,
    clashes,
    default_options,
)
from tests.helpers import invoke

BIN = Path(sys.executable).parent
INSTALL_TIMEOUT = 900
TEST_TIMEOUT = 900


@dataclass
class Project:
    framework: str
    path: Path
    result: dict[str, Any]
    answers: dict[str, Any]

    @property
    def commands(self) -> dict[str, str]:
        return self.result["commands"]


def pystarter(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, stdin not a TTY, with uv on PATH (the commands it
    prints are then uv's, which the harness runs)."""
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return subprocess.run(
        [sys.executable, "-m", "pystarter", *args],
        cwd=cwd,
        env={**os.environ, "PATH": path, **(env or {})},
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def data_flags(answers: dict[str, Any]) -> list[str]:
    flags: list[str] = []
    for key, value in answers.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        flags += ["--data", f"{key}={text}"]
    return flags


def render_project(framework: str, tmp_path: Path, answers: dict[str, Any] | None = None,
                   name: str = "demo", git: bool = False) -> Project:  # fmt: skip
    answers = dict(answers or {})
    dest = tmp_path / name
    args = ["new", str(dest), "-f", framework, "--no-input", "--json", *data_flags(answers)]
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"  # uv on PATH, as pystarter() has it
    result = invoke(*args, "--git" if git else "--no-git", env={"PATH": path})
    assert result.exit_code == 0, result.output
    return Project(framework, dest, json.loads(result.stdout), answers)


# --- option sets ------------------------------------------------------------------------


def _offered(framework: str, runtime: bool | None) -> list[str]:
    return [
        o.key
        for o in OPTIONS
        if o.offered_for(framework) and (runtime is None or o.runtime == runtime)
    ]


def _pairwise(
    framework: str, keys: list[str], pairs: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """A small set of valid combos covering every allowed value pair of ``pairs`` (greedy)."""
    base = default_options(framework)
    candidates = []
    for values in itertools.product(*(allowed_choices(k, framework, {}) for k in keys)):
        combo = {**base, **dict(zip(keys, values, strict=True))}
        if not clashes(framework, combo):
            candidates.append(combo)
    wanted = {(a, combo[a], b, combo[b]) for combo in candidates for a, b in pairs}
    chosen: list[dict[str, Any]] = [base]  # the default render always comes first
    wanted -= {(a, base[a], b, base[b]) for a, b in pairs}
    while wanted:
        best = max(candidates, key=lambda c: len({(a, c[a], b, c[b]) for a, b in pairs} & wanted))
        chosen.append(best)
        wanted -= {(a, best[a], b, best[b]) for a, b in pairs}
    return [{k: combo[k] for k in keys} for combo in chosen]


def runtime_combos(framework: str) -> list[dict[str, Any]]:
    """Every value of every runtime option, and every pair of options whose code meets."""
    keys = _offered(framework, runtime=True)
    pairs = [(a, b) for a, b in INTERACTING_PAIRS if a in keys and b in keys]
    return _pairwise(framework, keys, pairs)


def syntax_combos(framework: str) -> list[dict[str, Any]]:
    """Docker and CI files meet the database and Redis: every such pair, rendered only."""
    keys = ["database", "use_celery", "use_docker", "ci"]
    pairs = [("database", "use_docker"), ("database", "ci"), ("use_celery", "use_docker"),
             ("use_celery", "ci"), ("use_docker", "ci")]  # fmt: skip
    return _pairwise(framework, keys, pairs)


def all_pairs_combos(framework: str) -> list[dict[str, Any]]:
    """Every allowed pair of values of any two options, each Python version once: for checks
    that only render, where a render costs milliseconds."""
    keys = _offered(framework, runtime=None)
    combos = _pairwise(framework, keys, list(itertools.combinations(keys, 2)))
    return [
        {**combo, "python_version": PYTHON_VERSIONS[i % len(PYTHON_VERSIONS)]}
        for i, combo in enumerate(combos)
    ]


def sampled_for_the_fast_tier(combos: list[dict[str, Any]], keep: int = 3) -> list[Any]:
    """The first ``keep`` combos (the defaults first) in the fast tier, the others only in the
    whole suite: a contributor's inner loop renders a sample, CI renders every pair."""
    return [
        pytest.param(combo, id=combo_id(combo), marks=() if i < keep else pytest.mark.slow)
        for i, combo in enumerate(combos)
    ]


def with_defaults(framework: str, answers: dict[str, Any]) -> dict[str, Any]:
    return {**default_options(framework), **answers}


def expected_tests(
    framework: str, answers: dict[str, Any], by_option: dict[str, list[str]]
) -> list[str]:
    """The generated project's tests a render must run: ``by_option`` maps ``"always"``, or
    an option that brings tests when on (``database`` counts as on unless ``none``), or options
    joined by ``+`` that bring tests when all are on, to names."""
    on = {**with_defaults(framework, answers), "always": True}
    on["database"] = on["database"] != "none"
    return [
        name
        for options, names in by_option.items()
        if all(on[option] for option in options.split("+"))
        for name in names
    ]


def combos_to_run(framework: str, named: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The renders an issue names, then each runtime combo whose code none of them runs."""
    keys = _offered(framework, runtime=True)

    def runtime(combo: dict[str, Any]) -> tuple[Any, ...]:
        full = with_defaults(framework, combo)
        return tuple(full[key] for key in keys)

    covered = {runtime(combo) for combo in named}
    return named + [c for c in runtime_combos(framework) if runtime(c) not in covered]


def each_runtime_combo(framework: str, named: list[dict[str, Any]]) -> pytest.MarkDecorator:
    """Run a test once per :func:`combos_to_run` answer set, as its ``answers`` argument."""
    combos = combos_to_run(framework, named)
    return pytest.mark.parametrize(
        "answers", combos, ids=[combo_id(c) or "default" for c in combos]
    )


def combo_id(combo: dict[str, Any]) -> str:
    return "-".join(
        (k.removeprefix("use_") if v is True else f"no-{k.removeprefix('use_')}")
        if isinstance(v, bool)
        else f"{v}"
        for k, v in combo.items()
    )


# --- real services ------------------------------------------------------------------------


def run_sql(kind: str, statement: str) -> list[str]:
    """Run ``statement`` on the real server (``postgresql`` or ``mariadb``); its rows' lines."""
    if kind == "postgresql":
        args = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qtAXc", statement]
    else:
        args = ["mariadb", "-h", "127.0.0.1", "-uroot", "-N", "-e", statement]
    completed = subprocess.run(args, check=True, capture_output=True, text=True, timeout=60)
    return completed.stdout.splitlines()


def psql(database: str, statement: str) -> list[str]:
    """Run ``statement`` on a database of the real PostgreSQL server; the rows, one a line."""
    completed = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-tAXc", statement],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return completed.stdout.splitlines()


@contextmanager
def fresh_database(kind: str) -> Iterator[str | None]:
    """A new empty database on the real server, dropped afterwards; None for sqlite/none."""
    if kind not in ("postgresql", "mysql"):
        yield None
        return
    name = f"pst_{uuid.uuid4().hex[:10]}"
    server = "postgresql" if kind == "postgresql" else "mariadb"
    run_sql(server, f"create database {name}")
    # What a project's test session creates beside it (pytest-django: test_<name>) and must drop.
    test_databases = [f"{name}_test", f"test_{name}"]
    try:
        if kind == "postgresql":
            yield f"postgresql://postgres@127.0.0.1:5432/{name}"
        else:
            yield f"mysql://root@127.0.0.1:3306/{name}"
        left = [db for db in test_databases if db in databases(server, db)]
        assert not left, f"the project's tests left their database behind: {left}"
    finally:
        for database in (name, *test_databases):
            statement = f"drop database if exists {database}"
            if kind == "postgresql":
                statement += " with (force)"
            run_sql(server, statement)


def databases(server: str, name: str) -> list[str]:
    """The databases called ``name`` on the real server: ``[name]`` or ``[]``."""
    if server == "postgresql":
        return run_sql(server, f"select datname from pg_database where datname = '{name}'")
    return run_sql(server, f"show databases like '{name}'")


def redis_url() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return f"redis://127.0.0.1:6379/{1 + int(worker or 0) % 15}"


def emptied_redis() -> str:
    """This worker's Redis database, emptied first: a project's login counts (kept there for
    the window, 15 minutes) must not carry over from an earlier run of the same test."""
    url = redis_url()
    with socket.create_connection(("127.0.0.1", 6379), timeout=10) as connection:
        connection.sendall(f"SELECT {url.rsplit('/', 1)[1]}\r\nFLUSHDB\r\n".encode())
        replies = b""
        while replies.count(b"\r\n") < 2:
            replies += connection.recv(64)
    assert replies == b"+OK\r\n+OK\r\n", replies
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: The home folder before the isolation fixture points HOME at a temporary one (pyenv is there).
REAL_HOME = os.path.expanduser("~")


def interpreter_for(version: str | None) -> str:
    """A Python of ``version`` on this machine (uv cannot download one here), or skip loudly."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version in (None, running):
        return sys.executable
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(f"{REAL_HOME}/.pyenv/versions/{version}.*/bin/python{version}"))
    candidates += [f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"]
    for candidate in filter(os.path.exists, filter(None, candidates)):
        probe = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.startswith(f"Python {version}."):
            return candidate
    pytest.skip(f"NO PYTHON {version} ON THIS MACHINE: install it to test renders that ask for it")


def project_env(
    extra: dict[str, str] | None = None, project: Project | None = None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    version = project.result["answers"].get("python_version") if project else None
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        UV_PYTHON_DOWNLOADS="never",
        UV_PYTHON=interpreter_for(version),
        UV_NO_PROGRESS="1",
        UV_LINK_MODE="copy",
    )
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_XDIST_WORKER_COUNT", None)
    env.update(extra or {})
    return env


def shell(command: str, project: Project, env: dict[str, str], timeout: float) -> str:
    completed = subprocess.run(
        ["bash", "-c", command],
        cwd=project.path,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"`{command}` failed in {project.path}:\n{output[-6000:]}"
    return output


# --- the checks ---------------------------------------------------------------------------


def check_project(project: Project, expected_tests: list[str] = (), min_tests: int = 1) -> str:
    """Install, then what the project's CI runs (tests with coverage, ruff, mypy), start it and
    ask /health; returns the project's pytest output.

    ``expected_tests`` are test functions the project's own suite must define (the behaviour
    lives there); every one of its tests must pass, none may be skipped."""
    sources = "".join(p.read_text() for p in (project.path / "tests").glob("test_*.py"))
    missing = [name for name in expected_tests if f"def {name}(" not in sources]
    assert not missing, f"the generated tests lack {missing}"
    database = project.result.get("answers", {}).get("database") or project.answers.get(
        "database", "sqlite"
    )
    with fresh_database(database) as url:
        extra = {"REDIS_URL": redis_url()}
        if url:
            extra["DATABASE_URL"] = url
        env = project_env(extra, project)
        commands = project.commands
        shell(commands["install"], project, env, INSTALL_TIMEOUT)
        test_output = shell(f"{commands['test']} --cov", project, env, TEST_TIMEOUT)
        assert "coverage: platform" in test_output, test_output[-2000:]
        assert "warnings summary" not in test_output, test_output[-4000:]
        summary = test_output.strip().splitlines()[-1]
        assert " passed" in summary and "skipped" not in summary, summary
        assert int(summary.split(" passed")[0].split()[-1]) >= min_tests, summary
        assert " warning" not in test_output.strip().splitlines()[-1], test_output[-2000:]
        shell("uv run ruff check .", project, env, 120)
        shell("uv run ruff format --check .", project, env, 120)
        shell("uv run mypy", project, env, TEST_TIMEOUT)
        assert_serves_health(project, env)
        return test_output


def assert_serves_health(project: Project, env: dict[str, str], path: str = "/health") -> dict:
    with running_server(project, env) as base_url:
        body = wait_for_json(f"{base_url}{path}")
        assert body == {"status": "ok"}, body
        return body


@contextmanager
def running_server(
    project: Project, env: dict[str, str], output: Path | None = None
) -> Iterator[str]:
    """Start the project's run command (its README's) on a free port; yields its base URL once
    /health answers, and stops it afterwards. ``output`` collects what it prints, unbuffered."""
    port = free_port()
    log = output.open("wb") if output else None
    server = subprocess.Popen(
        ["bash", "-c", project.commands["run"]],
        cwd=project.path,
        env={**env, "PORT": str(port), "PYTHONUNBUFFERED": "1"},
        stdout=log or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_json(f"http://127.0.0.1:{port}/health", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server)
        if log:
            log.close()


class Client:
    """A browser-like HTTP client: keeps cookies, follows redirects (``url`` is where it
    landed), never raises on an error status."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.url = base_url
        self.headers = dict(headers or {})
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def request(
        self, method: str, path: str, *, json_body: Any = None, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = dict(self.headers)
        data = None
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        url = path if path.startswith("http") else self.base_url + path
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self.opener.open(request, timeout=30) as response:
                self.url = response.geturl()
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            self.url = error.geturl()
            return error.code, error.read().decode()


def wait_for_json(
    url: str, server: subprocess.Popen[bytes] | None = None, seconds: float = 90
) -> Any:
    deadline = time.monotonic() + seconds
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            output = server.stdout.read().decode(errors="replace") if server.stdout else ""
            raise AssertionError(f"the server exited with {server.returncode}:\n{output[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return json.loads(response.read())
        except OSError as exc:
            last_error = exc
            time.sleep(0.3)
    raise AssertionError(f"{url} did not answer in {seconds}s: {last_error}")


def stop(server: subprocess.Popen[bytes]) -> None:
    try:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(server.pid, sig)
            except ProcessLookupError:
                return
            try:
                server.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
    finally:
        if server.stdout:
            server.stdout.close()


def env_secret(project: Project) -> str:
    """The secret the render wrote into ``.env``."""
    match = re.search(
        r"^(?:DJANGO_)?SECRET_KEY=(.+)$", (project.path / ".env").read_text(), re.MULTILINE
    )
    assert match, ".env has no SECRET_KEY"
    return match.group(1)


def check_syntax_files(project: Project) -> list[str]:
    """Lint whichever Docker, CI, Dependabot and pre-commit files the render has; returns the
    files checked."""
    checks = {
        "Dockerfile": [str(BIN / "hadolint"), "--failure-threshold", "warning", "Dockerfile"],
        "compose.yaml": [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.compose-spec",
            "compose.yaml",
        ],
        ".github/workflows/ci.yml": [
            str(BIN / "actionlint"),
            "-no-color",
            ".github/workflows/ci.yml",
        ],
        ".gitlab-ci.yml": [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.gitlab-ci",
            ".gitlab-ci.yml",
        ],
        ".github/dependabot.yml": [
            str(BIN / "check-jsonschema"),
            "--builtin-schema",
            "vendor.dependabot",
            ".github/dependabot.yml",
        ],
        ".pre-commit-config.yaml": [
            str(BIN / "pre-commit"),
            "validate-config",
            ".pre-commit-config.yaml",
        ],
    }
    checked = []
    for name, args in checks.items():
        if not (project.path / name).exists():
            continue
        assert shutil.which(args[0]), f"{args[0]} is missing: pip install -e '.[test]'"
        completed = subprocess.run(
            args, cwd=project.path, capture_output=True, text=True, timeout=120
        )
        assert completed.returncode == 0, f"{name}:\n{completed.stdout}{completed.stderr}"
        checked.append(name)
    return checked
