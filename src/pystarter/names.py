"""Display name -> slug -> package name, with the names we refuse and what to use instead."""

from __future__ import annotations

import keyword
import re
import sys
import unicodedata
from dataclasses import dataclass

from pystarter.errors import InvalidNameError

#: Distributions a generated project imports: a package of the same name would shadow them.
SHADOWED_PACKAGES = frozenset(
    {
        "alembic", "asyncpg", "celery", "django", "fastapi", "flask", "flask_login",
        "flask_migrate", "flask_sqlalchemy", "flask_wtf", "gunicorn", "httpx", "jinja2",
        "jwt", "kombu", "pydantic", "pydantic_settings", "pytest", "redis", "rest_framework",
        "sqlalchemy", "starlette", "uvicorn", "werkzeug", "whitenoise", "pystarter", "copier",
        # what those import in turn, and the generated projects' dev tools
        "aiosqlite", "amqp", "annotated_types", "anyio", "argon2", "asgiref", "asyncmy",
        "billiard", "blinker", "certifi", "click", "dj_database_url", "dotenv", "drf_spectacular",
        "email_validator", "environ", "greenlet", "h11", "httpcore", "httptools", "idna",
        "iniconfig", "itsdangerous", "mako", "markupsafe", "multipart", "mysqldb", "packaging",
        "pluggy", "psycopg", "psycopg2", "pwdlib", "pydantic_core", "pygments", "pymysql",
        "python_multipart", "ruff", "sniffio", "sqlparse", "typing_extensions",
        "typing_inspection", "uvloop", "vine", "watchfiles", "websockets", "wtforms", "yaml",
    }
)  # fmt: skip
#: Folders every generated project has next to its package.
RESERVED_PACKAGES = frozenset({"tests", "migrations", "manage", "templates", "static", "alembic"})

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z_][a-z0-9_]*$")
#: Longer names make folder and file names some file systems refuse (255 bytes with suffixes).
MAX_NAME_LENGTH = 100
#: How much of a refused value an error message quotes, so the message stays one short line.
SHOWN_LENGTH = 40


def shown(value: object) -> str:
    """``repr`` of a user's value, cut short: error messages quote it but must stay one line."""
    text = repr(value)
    return text if len(text) <= SHOWN_LENGTH else f"{text[: SHOWN_LENGTH - 1]}…"


@dataclass(frozen=True)
class ProjectNames:
    display: str
    slug: str
    package: str


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", folded.lower())


def slugify(name: str) -> str:
    """``"Café Ünïcode!"`` -> ``"cafe-unicode"``; empty when nothing usable is left."""
    return "-".join(_ascii_words(name))


def package_from_slug(slug: str) -> str:
    package = slug.replace("-", "_")
    return f"app_{package}" if package[:1].isdigit() else package


def _refusal_reason(package: str) -> str | None:
    if keyword.iskeyword(package) or keyword.issoftkeyword(package):
        return "is a Python keyword"
    if package in SHADOWED_PACKAGES:
        return "would shadow a library the project imports"
    if package in sys.stdlib_module_names:
        return "would shadow a module of the standard library"
    if package in RESERVED_PACKAGES:
        return "is a folder every generated project already has"
    return None


def _too_long(kind: str, value: str, example: str) -> InvalidNameError:
    return InvalidNameError(
        f"{kind} {shown(value)} is too long ({len(value)} characters, at most {MAX_NAME_LENGTH})",
        f"give a shorter one, e.g. {example}",
    )


def validate_package_name(package: str) -> None:
    """Refuse what is not an importable package, so it can never be a path either."""
    if not PACKAGE_PATTERN.fullmatch(package):
        raise InvalidNameError(
            f"package name {shown(package)} is not a Python identifier in lower case ASCII",
            "use letters, digits and underscores, e.g. --data package_name=my_project",
        )
    if len(package) > MAX_NAME_LENGTH:
        raise _too_long("package name", package, "--data package_name=my_project")
    reason = _refusal_reason(package)
    if reason:
        raise InvalidNameError(
            f"package name {shown(package)} {reason}",
            f"try --data package_name={package}_app",
        )


def validate_slug(slug: str) -> None:
    """Refuse what is not a distribution name; ``..``, ``/`` and spaces never pass."""
    if not SLUG_PATTERN.fullmatch(slug):
        raise InvalidNameError(
            f"project slug {shown(slug)} is not lower case ASCII words joined by '-'",
            "e.g. --data project_slug=my-project",
        )
    if len(slug) > MAX_NAME_LENGTH:
        raise _too_long("project slug", slug, "--data project_slug=my-project")


def derive_names(display_name: str) -> ProjectNames:
    """Turn what the user typed into names for the folder, the distribution and the package.

    Raises :class:`InvalidNameError` with a suggested alternative for names that cannot work.
    """
    display = " ".join(display_name.split())
    slug = slugify(display)
    if not re.search(r"[a-z]", slug):
        raise InvalidNameError(
            f"project name {shown(display_name)} has no letters to make a package name from",
            "give a name with letters, e.g. --name my-project",
        )
    package = package_from_slug(slug)
    if len(package) > MAX_NAME_LENGTH:
        cut = slug[: MAX_NAME_LENGTH - len("app_")]
        shorter = cut.rsplit("-", 1)[0] if "-" in cut else "my-project"
        raise _too_long("project name", display, f"--name {shorter}")
    reason = _refusal_reason(package)
    if reason:
        raise InvalidNameError(
            f"project name {shown(display_name)} {reason}",
            f"try --name {slug}-app",
        )
    return ProjectNames(display=display, slug=slug, package=package)
