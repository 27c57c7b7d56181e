"""The rehearsal: each deploy target's files run as the platform runs them (slow).

For every framework x target (PostgreSQL, Celery, auth) and every framework with nothing but
``--deploy heroku``: render with git, ``git clone`` the render, build as the platform builds,
run the release command, the web process and the worker exactly as the files write them, with
only the platform's environment (never ``.env``), then ask ``/health`` with the Host the
platform's checker sends, make a database round trip through the app, and run a Celery task
on the real Redis. The commands are read from the files themselves by small readers below, so
a typo in a file fails here. What needs a Docker engine (building the image) is checked as far
as it goes: hadolint, compose-spec, every compose variable declared.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import subprocess
import sys
import tomllib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.projects import BIN, REAL_HOME, free_port, interpreter_for, pystarter, run_sql, stop

pytestmark = pytest.mark.slow

FRAMEWORKS = ("django", "flask", "fastapi")
TARGETS = ("heroku", "railway", "fly", "elastic-beanstalk", "compose")
FULL = ("--database", "postgresql", "--celery", "--auth")
CASES = [
    pytest.param(fw, target, FULL, id=f"{fw}-{target}") for fw in FRAMEWORKS for target in TARGETS
] + [pytest.param(fw, "heroku", (), id=f"{fw}-heroku-defaults") for fw in FRAMEWORKS]
#: The Host header each platform's health checker sends (None: the image's own HEALTHCHECK).
CHECKER_HOST = {
    "heroku": None,  # Heroku's router checks nothing: the site's own host
    "railway": "healthcheck.railway.app",
    "fly": "172.19.3.26:8000",  # a machine's private address
    "elastic-beanstalk": "172.31.5.17",  # the instance's address, from the load balancer
    "compose": None,
}
#: Where the site answers on each platform, for the database round trip.
SITE_HOST = {
    "heroku": "shop-1a2b3c.herokuapp.com",
    "railway": "shop-production.up.railway.app",
    "fly": "shop.fly.dev",
    "elastic-beanstalk": "shop-env.eba-abc123.us-east-1.elasticbeanstalk.com",
    "compose": "example.com",  # DOMAIN, as the README's Deploy section sets it
}
PROCFILE_LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")  # honcho's reader of a Procfile
#: One Redis database per case (15 cases run Celery): no worker takes another case's task.
REDIS_DBS = {
    f"{fw}-{target}": 1 + i
    for i, (fw, target) in enumerate((fw, target) for fw in FRAMEWORKS for target in TARGETS)
}
TIMEOUT = 600
#: One cache for every case (the default location), as the budget needs: uv's and pip's.
CACHES = {
    "UV_CACHE_DIR": os.path.join(REAL_HOME, ".cache", "uv"),
    "PIP_CACHE_DIR": os.path.join(REAL_HOME, ".cache", "pip"),
}


# --- readers: each takes the commands and variables from the platform's own file -----------


@dataclass
class Plan:
    """What the platform would do with the render: build, release, processes, variables."""

    env: dict[str, str] = field(default_factory=dict)
    """The variables the target's files declare."""
    release: list[str] | str | None = None
    """A string runs through a shell; a list runs as it is (exec form)."""
    web: list[str] | str = ""
    worker: list[str] | str | None = None
    collectstatic: str | None = None


def read_procfile(path: Path) -> dict[str, str]:
    processes = {}
    for line in path.read_text().splitlines():
        match = PROCFILE_LINE.match(line)
        if match:
            processes[match.group(1)] = match.group(2)
    return processes


def read_heroku(project: Path) -> Plan:
    app = json.loads((project / "app.json").read_text())
    check_app_json(app)
    env = {}
    for name, spec in app["env"].items():
        env[name] = (
            secrets.token_urlsafe(50) if spec.get("generator") == "secret" else spec["value"]
        )
    processes = read_procfile(project / "Procfile")
    assert set(processes) <= {"web", "release", "worker"}, processes
    assert set(app["formation"]) == {"web", "worker"} & set(processes) | {"web"}
    plan = Plan(env, processes.get("release"), processes["web"], processes.get("worker"))
    if (project / "manage.py").exists():  # the Python buildpack's step for Django
        plan.collectstatic = "python manage.py collectstatic --noinput"
    return plan


#: app.json's published schema (devcenter.heroku.com/articles/app-json-schema), the parts used.
APP_JSON_KEYS = {
    "name",
    "description",
    "keywords",
    "website",
    "repository",
    "logo",
    "success_url",
    "scripts",
    "env",
    "formation",
    "image",
    "addons",
    "buildpacks",
    "environments",
    "stack",
}
ENV_KEYS = {"description", "value", "required", "generator"}


def check_app_json(app: dict[str, Any]) -> None:
    assert set(app) <= APP_JSON_KEYS, set(app) - APP_JSON_KEYS
    assert isinstance(app["name"], str) and 3 <= len(app["name"]) <= 30
    for name, spec in app["env"].items():
        assert re.fullmatch(r"[A-Z_][A-Z0-9_]*", name) and set(spec) <= ENV_KEYS, (name, spec)
        assert "value" in spec or spec.get("generator") == "secret", name
    for addon in app["addons"]:
        plan = addon if isinstance(addon, str) else addon["plan"]
        assert re.fullmatch(r"[a-z0-9-]+(:[a-z0-9-]+)?", plan), plan
    for process in app["formation"].values():
        assert set(process) <= {"quantity", "size"} and process["quantity"] >= 0
    assert all(set(b) == {"url"} for b in app["buildpacks"])


def read_railway(project: Path, readme_env: dict[str, str]) -> Plan:
    config = json.loads((project / "railway.json").read_text())
    assert config["$schema"] == "https://railway.com/railway.schema.json"
    assert config["build"]["builder"] in ("RAILPACK", "DOCKERFILE")
    deploy = config["deploy"]
    assert deploy["healthcheckPath"] == "/health"
    assert deploy["restartPolicyType"] in ("ON_FAILURE", "ALWAYS", "NEVER")
    release = deploy.get("preDeployCommand")
    if isinstance(release, list):  # Railway runs each entry in turn
        release = " && ".join(release)
    web = deploy["startCommand"]
    if config["build"]["builder"] == "DOCKERFILE":
        web = shlex.split(web)  # exec form: the command itself must call a shell for $PORT
    worker = readme_worker(project)
    plan = Plan(dict(readme_env), release, web, worker)
    if (project / "manage.py").exists():
        plan.collectstatic = "python manage.py collectstatic --noinput"  # Railpack's Django step
    return plan


def readme_worker(project: Path) -> str | None:
    """The worker's start command the README tells a Railway user to set."""
    match = re.search(r"set the start command to\s+`([^`]+)`", (project / "README.md").read_text())
    return match.group(1) if match else None


def read_fly(project: Path) -> Plan:
    config = tomllib.loads((project / "fly.toml").read_text())
    assert config["build"]["dockerfile"] == "Dockerfile"
    service = config["http_service"]
    assert service["internal_port"] == int(config["env"]["PORT"]) == 8000
    assert [c["path"] for c in service["checks"]] == ["/health"]
    assert service["processes"] == ["app"]
    if "mounts" in config:
        assert config["mounts"]["processes"] == ["app"]
    processes = config["processes"]
    release = config.get("deploy", {}).get("release_command")
    worker = processes.get("worker")
    return Plan(
        dict(config["env"]),
        shlex.split(release) if release else None,
        shlex.split(processes["app"]),  # Fly runs a process's command without a shell
        shlex.split(worker) if worker else None,
        docker_collectstatic(project),
    )


def read_elastic_beanstalk(project: Path, venv: Path) -> Plan:
    config = yaml.safe_load((project / ".ebextensions" / "01-app.config").read_text())
    options = config["option_settings"]
    env = {k: str(v) for k, v in options["aws:elasticbeanstalk:application:environment"].items()}
    assert (
        options["aws:elasticbeanstalk:environment:process:default"]["HealthCheckPath"] == "/health"
    )
    commands = config.get("container_commands", {})
    activate = "source /var/app/venv/*/bin/activate"
    run_once = []
    for name in sorted(commands):
        command = commands[name]["command"]
        assert command.startswith(activate + " && "), command
        # Beanstalk's own virtualenv is the one thing replaced: the rehearsal's fresh one.
        run_once.append(command.replace(activate, f"source {venv}/bin/activate", 1))
        if "migrate" in command or "upgrade" in command:
            assert commands[name].get("leader_only") is True
    processes = read_procfile(project / "Procfile")
    assert "${PORT:-8000}" in processes["web"]
    return Plan(env, " && ".join(run_once) or None, processes["web"], processes.get("worker"))


def read_compose(project: Path, readme_env: dict[str, str]) -> Plan:
    path = project / "compose.production.yaml"
    checked = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = path.read_text()
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))
    required = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*):\?", text))
    optional = used - required
    assert required <= set(readme_env), f"the README never sets {required - set(readme_env)}"
    assert all(re.search(r"\$\{" + name + r":-", text) for name in optional), optional
    compose = yaml.safe_load(text)
    assert "ports" not in compose["services"].get("db", {})
    assert "ports" not in compose["services"].get("redis", {})
    for name, service in compose["services"].items():
        assert "restart" in service, name
    app = compose["x-app"]
    env = {k: interpolate(str(v), readme_env) for k, v in app["environment"].items()}
    caddy = (project / "Caddyfile").read_text()
    assert "{$DOMAIN}" in caddy and "reverse_proxy web:8000" in caddy
    web = dockerfile_cmd(project)
    migrate = compose["services"].get("migrate", {}).get("command")
    worker = compose["services"].get("worker", {}).get("command")
    return Plan(env, migrate, web, worker, docker_collectstatic(project))


def interpolate(value: str, env: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(3)
        return env.get(name, default or "")

    return re.sub(r"\$\{([A-Z_][A-Z0-9_]*)(:[?-]([^}]*))?\}", one, value)


def dockerfile_cmd(project: Path) -> list[str]:
    text = (project / "Dockerfile").read_text()
    return json.loads(re.search(r"^CMD (\[.*\])$", text, re.MULTILINE).group(1))  # type: ignore[union-attr]


def dockerfile_healthcheck(project: Path) -> list[str]:
    text = (project / "Dockerfile").read_text()
    match = re.search(r"^\s+CMD (\[.*\])$", text, re.MULTILINE)
    assert match, "the Dockerfile has no HEALTHCHECK"
    return json.loads(match.group(1))


def docker_collectstatic(project: Path) -> str | None:
    """The Dockerfile's collectstatic step (Django), with the variables it sets itself."""
    text = (project / "Dockerfile").read_text()
    match = re.search(r"&& (DJANGO_SECRET_KEY=.*?collectstatic --noinput)", text, re.DOTALL)
    return match.group(1).replace("\\\n", " ") if match else None


def readme_env(project: Path) -> dict[str, str]:
    """The variables the README's Deploy section tells the user to set, by their names: a
    generated secret where it says to generate one; the platform's own URLs are the
    rehearsal's."""
    section = (project / "README.md").read_text().split("## Deploy", 1)[1]
    env = {}
    for block in re.findall(r"```console\n(.*?)```", section, re.DOTALL):
        for line in block.splitlines():
            if not re.match(
                r"(heroku config:set|railway variables|fly secrets set|eb setenv|export) ", line
            ):
                continue
            words = shlex.split(line.split("  #")[0], posix=True)
            for word in words:
                name, sep, value = word.partition("=")
                if sep and re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
                    env[name] = secrets.token_urlsafe(50) if "$(" in value else value
    return env


# --- running it ---------------------------------------------------------------------------


def base_env(venv: Path, platform: dict[str, str]) -> dict[str, str]:
    """Nothing from this shell but PATH's tools and HOME: the platform's variables only."""
    return {
        "PATH": f"{venv / 'bin'}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ["HOME"],
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        **platform,
    }


def run(command: list[str] | str, cwd: Path, env: dict[str, str], timeout: float = TIMEOUT) -> str:
    args = ["bash", "-c", command] if isinstance(command, str) else command
    done = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command!r} failed:\n{output[-5000:]}"
    return output


@contextmanager
def process(
    command: list[str] | str, cwd: Path, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    args = ["bash", "-c", command] if isinstance(command, str) else command
    with log.open("wb") as output:
        started = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield started
        finally:
            stop(started)


def http(
    port: int,
    path: str,
    host: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], str]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        headers = dict(response.getheaders())
        headers["Set-Cookie"] = "; ".join(response.msg.get_all("Set-Cookie") or [])
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def wait_for_health(port: int, host: str, server: subprocess.Popen[bytes], log: Path) -> None:
    import time

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the web process exited:\n{log.read_text()[-4000:]}"
        try:
            status, _, body = http(port, "/health", host, headers={"X-Forwarded-Proto": "https"})
        except OSError:
            time.sleep(0.3)
            continue
        assert status == 200, (status, body[:500])
        assert json.loads(body) == {"status": "ok"}
        return
    raise AssertionError(f"/health never answered:\n{log.read_text()[-4000:]}")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def serves_with_workers(server: subprocess.Popen[bytes], count: int) -> bool:
    """The web process has ``count`` worker processes under it, once they have all started."""
    import time

    deadline = time.monotonic() + 60
    while len(descendants(server.pid)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return len(descendants(server.pid)) >= count


def round_trip(framework: str, port: int, host: str) -> None:
    """A request that reads the database through the app (the tables must exist)."""
    https = {"X-Forwarded-Proto": "https"}
    if framework == "fastapi":
        status, _, body = http(port, "/items", host, headers=https)
        assert status == 200 and json.loads(body) == {"data": [], "count": 0}, (status, body[:500])
    elif framework == "flask":
        status, _, body = http(port, "/", host, headers=https)
        assert status == 200, (status, body[:500])
    else:  # the admin's login form looks the user up: a query on the users table
        status, headers, body = http(port, "/admin/login/", host, headers=https)
        assert status == 200, (status, body[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)  # type: ignore[union-attr]
        cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)  # type: ignore[union-attr]
        form = f"csrfmiddlewaretoken={token}&username=nobody&password=wrong-password".encode()
        status, _, body = http(
            port,
            "/admin/login/",
            host,
            "POST",
            form,
            {
                **https,
                "Cookie": f"csrftoken={cookie}",
                "Origin": f"https://{host}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert status == 200 and "correct username and password" in body, (status, body[:800])


def send_task(framework: str, package: str, cwd: Path, env: dict[str, str]) -> None:
    if framework == "django":
        code = (
            f"import django; django.setup(); from {package}.users.tasks import count_users; "
            "print(count_users.delay().get(timeout=60))"
        )
        expected = "0"
    elif framework == "flask":
        code = (
            f"from {package}.worker import celery_app; from {package}.tasks import add; "
            "print(add.delay(2, 3).get(timeout=60))"
        )
        expected = "5"
    else:
        code = f"from {package}.worker import add; print(add.delay(2, 3).get(timeout=60))"
        expected = "5"
    output = run(["python", "-c", code], cwd, env, timeout=120)
    assert output.strip().splitlines()[-1] == expected, output


@contextmanager
def fresh_postgres() -> Iterator[str]:
    name = f"pst_deploy_{uuid.uuid4().hex[:10]}"
    run_sql("postgresql", f"create database {name}")
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"  # the platforms' form
    finally:
        run_sql("postgresql", f"drop database if exists {name} with (force)")


def build(target: str, clone: Path, python: str) -> Path:
    """Install as the platform does; the virtualenv the processes run in."""
    uv_env = {
        **os.environ,
        **CACHES,
        "UV_PYTHON": python,
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_NO_PROGRESS": "1",
        "UV_LINK_MODE": "copy",
    }
    uv_env.pop("VIRTUAL_ENV", None)
    if target == "elastic-beanstalk":
        venv = clone.parent / "eb-venv"
        run([python, "-m", "venv", str(venv)], clone, uv_env)
        run([str(venv / "bin" / "pip"), "install", "-q", "-r", "requirements.txt"], clone, uv_env)
        return venv
    # Heroku's buildpack and Railpack install uv.lock; so does the Dockerfile (fly, compose).
    run([str(BIN / "uv"), "sync", "--locked", "--no-dev"], clone, uv_env)
    return clone / ".venv"


@pytest.mark.parametrize(("framework", "target", "flags"), CASES)
def test_rehearse(framework: str, target: str, flags: tuple[str, ...], tmp_path: Path) -> None:
    made = pystarter(
        "new",
        str(tmp_path / "shop"),
        "-f",
        framework,
        "--deploy",
        target,
        *flags,
        "--no-input",
        "--json",
        "--git",
        env=CACHES,
        timeout=TIMEOUT,
    )
    assert made.returncode == 0, made.stderr
    answers = json.loads(made.stdout)["answers"]
    package, celery = answers["package_name"], answers["use_celery"]
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(tmp_path / "shop"), str(clone)], check=True)
    assert not (clone / ".env").exists()
    assert (clone / "uv.lock").exists(), "a deploy target needs uv.lock in the first commit"
    if (clone / "Dockerfile").exists():
        linted = subprocess.run(
            [str(BIN / "hadolint"), "--failure-threshold", "warning", "Dockerfile"],
            cwd=clone,
            capture_output=True,
            text=True,
        )
        assert linted.returncode == 0, linted.stdout
    python = interpreter_for(answers["python_version"])
    venv = build(target, clone, python)
    readme = readme_env(clone)
    plan = {
        "heroku": lambda: read_heroku(clone),
        "railway": lambda: read_railway(clone, readme),
        "fly": lambda: read_fly(clone),
        "elastic-beanstalk": lambda: read_elastic_beanstalk(clone, venv),
        "compose": lambda: read_compose(clone, readme),
    }[target]()
    port = free_port()
    key = f"{framework}-{target}"
    with fresh_postgres() as database_url:
        platform = {**readme, **plan.env, "PORT": str(port)}
        if answers["database"] == "postgresql":
            platform["DATABASE_URL"] = database_url
        if celery:
            platform["REDIS_URL"] = f"redis://127.0.0.1:6379/{REDIS_DBS[key]}"
        if target in ("fly", "compose"):  # the image's ENV, then the platform's
            platform = {**image_env(clone), **platform}
        env = base_env(venv, platform)
        if plan.collectstatic:
            run(plan.collectstatic, clone, env)
            assert (clone / "staticfiles" / "staticfiles.json").exists()
        if plan.release:
            run(plan.release, clone, env)
        log = tmp_path / "web.log"
        with process(plan.web, clone, env, log) as web:
            host = CHECKER_HOST[target] or SITE_HOST[target]
            wait_for_health(port, host, web, log)
            if target in ("fly", "compose"):
                run(dockerfile_healthcheck(clone), clone, env, timeout=30)
            assert serves_with_workers(web, 2), f"fewer than 2 workers:\n{log.read_text()[-3000:]}"
            if answers["database"] != "none":
                round_trip(framework, port, SITE_HOST[target])
        if celery:
            assert plan.worker, "Celery is on but the target runs no worker"
            with process(plan.worker, clone, env, tmp_path / "worker.log"):
                send_task(framework, package, clone, env)


def image_env(project: Path) -> dict[str, str]:
    """The ENV lines of the Dockerfile (what the image sets for every process)."""
    text = (project / "Dockerfile").read_text().replace("\\\n", " ")
    env = {}
    for line in re.findall(r"^ENV (.+)$", text, re.MULTILINE):
        for word in shlex.split(line):
            name, _, value = word.partition("=")
            if name != "PATH":
                env[name] = value
    return env


def test_every_case_has_its_own_redis_database() -> None:
    assert sorted(REDIS_DBS.values()) == list(range(1, 16))


def test_sys_executable_is_used_for_the_current_python() -> None:
    assert interpreter_for(None) == sys.executable
