"""copier's and Jinja's errors translated into pystarter's (:mod:`pystarter.errors`): by their
type, by their text only where copier raises a bare ``ValueError``; a Jinja error in one of the
template's files names ``path:line``. Disk failures stay ``OSError`` so the caller can say which
folder refused the write. Part of the copier adapter: copier and Jinja are imported in the
functions, never when this module loads."""

from __future__ import annotations

import errno
import re
import subprocess
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from pystarter.errors import (
    MissingAnswersError,
    PystarterError,
    RenderError,
    TemplateFetchError,
    UnsafePathError,
    UntrustedTemplateError,
    UsageError,
    first_line,
    stop_received,
)
from pystarter.names import shown
from pystarter.placement import DISK_ERRNOS

if TYPE_CHECKING:
    from pystarter.sources import TemplateSource

#: copier's message for a question with no default and no answer (it raises a bare ValueError)
REQUIRED_QUESTION = re.compile(r'Question "([^"]+)" is required')
#: copier's message for an answer its validator refuses (also a bare ValueError)
REFUSED_ANSWER = re.compile(r"Validation error for question '([^']+)': (.*)", re.S)


def is_untrusted_error(exc: BaseException) -> bool:
    from copier.errors import UnsafeTemplateError

    return isinstance(exc, UnsafeTemplateError)


def translated(template: TemplateSource, exc: Exception, root: Path | None = None) -> BaseException:
    """Our error for what copier raised; a disk failure (``OSError``) is returned as it is, and
    so is the interrupt behind an error that a library made of it. A Jinja error in one of the
    template's files (``root``: its files at this ref) names ``path:line``."""
    from copier.errors import CopierError, ForbiddenPathError, UnsafeTemplateError
    from plumbum.commands.processes import ProcessExecutionError

    if isinstance(exc, PystarterError):
        return exc
    interrupt = stop_received()
    if interrupt is not None:
        return interrupt
    name = template.source + (f" at {template.vcs_ref}" if template.vcs_ref else "")
    if isinstance(exc, UnsafeTemplateError):
        return UntrustedTemplateError(
            f"template {name} wants to run code: {first_line(exc)}",
            "pass --trust if you trust its author",
        )
    if isinstance(exc, ForbiddenPathError):
        return UnsafePathError(
            f"template {name} would write outside the project: {first_line(exc)}",
            "an answer used in a file name holds '..' or '/', or the template links outside itself",
        )
    if isinstance(exc, ProcessExecutionError):
        if not Path(template.location).is_dir():
            return TemplateFetchError(
                f"could not fetch template {name}: {_last_stderr_line(exc)}",
                "check the address, your network and --vcs-ref, then try again",
            )
        return RenderError(
            f"template {name} did not render: {_last_stderr_line(exc)}",
            "check the template's git repository",
        )
    if isinstance(exc, subprocess.CalledProcessError):  # copier's TaskError
        return RenderError(
            f"a task of template {name} failed: {first_line(exc)}",
            "fix the task in the template, or check what it needs on this machine",
        )
    if isinstance(exc, OSError):
        if exc.errno in DISK_ERRNOS:
            return exc
        if exc.errno == errno.ENAMETOOLONG:
            file_name = Path(str(exc.filename or "")).name
            return UnsafePathError(
                f"template {name} makes a file name too long: {shown(file_name)}",
                "shorten the answer used in that file name",
            )
    required = REQUIRED_QUESTION.match(str(exc)) if type(exc) is ValueError else None
    if required is not None:
        return MissingAnswersError([required.group(1)])
    refused = REFUSED_ANSWER.match(str(exc)) if type(exc) is ValueError else None
    if refused is not None:
        return UsageError(f"{refused.group(1)}: {refused.group(2)}", "give another value")
    located = template_error(exc, [root] if root else [Path(template.location)])
    if located is not None:
        return RenderError(
            f"template {name} did not render: {located}",
            "fix that line of the template, then run pystarter templates check on it",
        )
    detail = first_line(exc)
    if not isinstance(exc, (ValueError, TypeError, OSError, CopierError)):
        detail = f"{type(exc).__name__}: {detail}"  # Jinja and YAML errors come in many types
    return RenderError(
        f"template {name} did not render: {detail}",
        "check the template and the answers given with --data",
    )


def template_error(exc: BaseException, roots: list[Path]) -> str | None:
    """``path:line: message (the line)`` for a Jinja error in one of the template's files
    (a syntax error, or an undefined variable while rendering), the path relative to the
    template; None for any other error. ``roots``: where the template's files are (copier may
    have rendered them from its own clone)."""
    from jinja2 import TemplateError, TemplateSyntaxError

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:  # copier wraps Jinja's errors
        seen.add(id(current))
        if isinstance(current, TemplateError):
            break
        current = current.__cause__ or current.__context__
    if not isinstance(current, TemplateError):
        return None
    filename, line = None, None
    if isinstance(current, TemplateSyntaxError):
        filename, line = current.filename or current.name, current.lineno
    else:
        tb = current.__traceback__
        while tb is not None:  # jinja2 points its frames at the template's lines
            if "__jinja_exception__" in tb.tb_frame.f_globals:
                filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
            tb = tb.tb_next
    message = " ".join(str(current.message if hasattr(current, "message") else current).split())
    relative = _relative_to_template(filename, roots) if filename else None
    if relative is None or line is None:
        return None
    text = ""
    with suppress(OSError, UnicodeDecodeError, IndexError):
        source = (next(r for r in roots if (r / relative).is_file()) / relative).read_text()
        text = source.splitlines()[line - 1].strip()
    shown_line = f" (in: {text[:80]})" if text else ""
    return f"{relative}:{line}: {message or type(current).__name__}{shown_line}"


def error_text(exc: BaseException) -> str:
    """The innermost Jinja or copier message behind ``exc``, on one line."""
    cause = exc
    while cause.__cause__ is not None and not isinstance(cause, ValueError | TypeError):
        cause = cause.__cause__
    text = " ".join(str(getattr(cause, "message", None) or cause).split())
    return text or type(cause).__name__


def _relative_to_template(filename: str, roots: list[Path]) -> str | None:
    """The template's own path of ``filename``: below one of ``roots``, or the longest tail of
    it that names a file there (copier renders from a clone elsewhere)."""
    path = Path(filename)
    for root in roots:
        with suppress(ValueError, OSError):
            return path.resolve().relative_to(root.resolve()).as_posix()
    if not path.is_absolute():
        return path.as_posix()
    parts = path.parts
    for start in range(1, len(parts)):
        tail = Path(*parts[start:])
        if any((root / tail).is_file() for root in roots):
            return tail.as_posix()
    return None


def _last_stderr_line(exc: BaseException) -> str:
    """The last thing git said on stderr (``fatal: unable to access ...``), not plumbum's dump."""
    lines = str(getattr(exc, "stderr", "") or "").strip().splitlines()
    return lines[-1].strip() if lines else first_line(exc)
