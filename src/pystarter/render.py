"""The one copier adapter: the only module that imports copier.

``new`` renders with :meth:`Session.copy`, ``update`` with :func:`update`, ``templates check`` with
:func:`check_copy`; a custom template's questions are copier's own (:class:`Questions`), for
the wizard, ``--data`` and ``check`` alike. Whatever copier raises becomes one of
:mod:`pystarter.errors` here, by its type (by its text only where copier raises a bare
``ValueError``); a Jinja error names ``path:line``. Disk failures stay ``OSError`` so the caller
can say which folder refused the write.

:class:`Questions` uses copier 9's ``Worker`` and ``Question`` as copier's ``Worker._ask`` does
(private names: ``_render_context``, ``_formatted_choices``); a copier upgrade is checked by
tests/test_copier_parity.py and tests/test_wizard_custom.py.
"""

from __future__ import annotations

import errno
import re
import subprocess
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from pystarter.errors import (
    MissingAnswersError,
    PystarterError,
    RenderError,
    TemplateFetchError,
    UnsafePathError,
    UntrustedTemplateError,
    UpdateError,
    UsageError,
    first_line,
    stop_received,
)
from pystarter.names import shown
from pystarter.placement import DISK_ERRNOS
from pystarter.sources import TemplateSource, checkout

#: copier's message for a question with no default and no answer (it raises a bare ValueError)
REQUIRED_QUESTION = re.compile(r'Question "([^"]+)" is required')
#: copier's message for an answer its validator refuses (also a bare ValueError)
REFUSED_ANSWER = re.compile(r"Validation error for question '([^']+)': (.*)", re.S)


def load() -> None:
    """Import copier ahead of time (the wizard calls this in a thread while the user reads)."""
    import copier  # noqa: F401


class Session:
    """One template at its pinned ref: pystarter reads its copier.yml from ``root`` (the
    template folder, or a clone of a git template at that ref), then copier renders it."""

    def __init__(self, template: TemplateSource, root: Path) -> None:
        self.template = template
        self.root = root

    def trust(self) -> None:
        """The user trusts the template after seeing what it runs."""
        from dataclasses import replace

        self.template = replace(self.template, trusted=True)

    def copy(self, destination: Path, answers: Mapping[str, Any]) -> str:
        """``copier copy`` into ``destination`` itself: tasks, ``_folder_name`` and
        ``_copier_conf.dst_path`` see the real path. Returns the template's
        ``_message_after_copy`` as copier renders it (it prints it only when not quiet)."""
        try:
            worker = _run_copy(
                self.template.location,
                destination,
                answers,
                self.template.trusted,
                self.template.vcs_ref,
                cleanup_on_error=False,  # pystarter undoes what it created, and only that
            )
            message = worker.template.message_after_copy
            return str(worker._render_string(message)).strip() if message else ""
        except Exception as exc:
            raise _translated(self.template, exc, self.root) from exc

    def questions(
        self, destination: Path, user_defaults: Mapping[str, Any] | None = None
    ) -> Questions:
        """copier's questionnaire of this template, for a project in ``destination``."""
        return Questions(self.template, self.root, destination, user_defaults or {})

    def preview(self, target: Path, answers: Mapping[str, Any]) -> None:
        """Render into ``target`` running nothing from the template (no tasks, no migrations):
        what ``--dry-run`` and ``--force`` compare with DEST."""
        vcs_ref = "HEAD" if (self.root / ".git").exists() else None
        try:
            _run_copy(str(self.root), target, answers, self.template.trusted, vcs_ref, True)
        except Exception as exc:
            raise _translated(self.template, exc, self.root) from exc


class Questions:
    """copier's own questionnaire for one template: its ``Question`` objects, rendered with its
    ``Worker``'s Jinja environment (the template's extensions, copier's filters) and render
    context, walked in copier's order as ``Worker._ask`` walks them. The one implementation
    behind the wizard, ``--no-input``, ``--data``, ``--data-file`` and ``templates check``.

    copier reads the template from ``root`` (the files at the ref being rendered), without
    cloning it again."""

    def __init__(
        self,
        template: TemplateSource,
        root: Path,
        destination: Path,
        user_defaults: Mapping[str, Any],
    ) -> None:
        from copier._main import Worker
        from copier._template import Template

        self.template = template
        self.root = root
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copier_template = Template(url=str(root))
            # the files are already at the ref being rendered: copier must not clone them
            copier_template.__dict__["local_abspath"] = root.resolve()
            asked = copier_template.questions_data
            self.worker = Worker(
                src_path=str(root),
                dst_path=destination,
                user_defaults={k: v for k, v in user_defaults.items() if k in asked},
                defaults=True,
                quiet=True,
                unsafe=template.trusted,
            )
            self.worker.__dict__["template"] = copier_template

    def task_commands(self, answers: Mapping[str, Any]) -> list[str]:
        """The ``_tasks`` copier would run after rendering with ``answers``, each rendered as
        copier renders it (those whose ``when`` is false left out): what ``--dry-run`` says."""
        from copier._tools import cast_to_bool

        self.resolve(answers)
        worker = self.worker
        commands = []
        try:
            for task in worker.template.tasks:
                extra = {f"_{k}": v for k, v in task.extra_vars.items()}
                extra["_copier_operation"] = "copy"
                if not cast_to_bool(worker._render_value(task.condition, extra)):
                    continue
                parts = [task.cmd] if isinstance(task.cmd, str) else task.cmd
                commands.append(" ".join(worker._render_string(str(p), extra) for p in parts))
        except Exception as exc:
            raise _translated(self.template, exc, self.root) from exc
        return commands

    def message_before_copy(self) -> str:
        """The template's ``_message_before_copy``, rendered as copier renders it (before any
        question is asked)."""
        return self._message(self.worker.template.message_before_copy)

    def message_after_copy(self) -> str:
        return self._message(self.worker.template.message_after_copy)

    def _message(self, message: str) -> str:
        if not message:
            return ""
        try:
            self._check_extensions()
            return str(self.worker._render_string(message)).strip()
        except Exception as exc:
            raise _translated(self.template, exc, self.root) from exc

    def _start(self, given: Mapping[str, Any]) -> None:
        from copier._user_data import AnswersMap

        worker = self.worker
        self._check_extensions()
        worker.answers = AnswersMap(
            user_defaults=worker.user_defaults,
            init=dict(given),
            last=worker.subproject.last_answers,
            metadata=worker.template.metadata,
            external=worker._external_data(),
        )

    def _check_extensions(self) -> None:
        """Jinja extensions are code: loaded only for a trusted template, as copier refuses."""
        if self.worker.template.jinja_extensions and not self.template.trusted:
            raise UntrustedTemplateError(
                f"template {self.template.source} uses Jinja extensions, which load code",
                "pass --trust if you trust its author",
            )

    def resolve(
        self, given: Mapping[str, Any], ask: Callable[[Any], Any] | None = None
    ) -> tuple[dict[str, Any], list[str]]:
        """Every answer copier would render with: ``given`` parsed and validated in question
        order, ``ask`` (a :class:`~pystarter.questionnaire.Prompt` in, a value out) for each
        other question copier would ask on a terminal, defaults for the rest. Returns the
        answers given, asked or taken from the user's defaults of the questions whose ``when``
        holds (copier renders the template's defaults itself), and the required questions left
        without an answer (``ask`` None), all of them. A refused answer is a
        :class:`UsageError`."""
        from copier._types import MISSING
        from copier._user_data import Question

        try:
            self._start(given)
            worker = self.worker
            answers = worker.answers
            missing: list[str] = []
            chosen: list[str] = []  # answers given, asked, or from the user's defaults
            for name, details in worker.template.questions_data.items():
                try:
                    question = Question(
                        answers=answers,
                        context=worker._render_context(),
                        jinja_env=worker.jinja_env,
                        settings=worker.settings,
                        var_name=name,
                        **details,
                    )
                    if name in answers.last:
                        try:
                            question.validate_answer(question.parse_answer(answers.last[name]))
                        except Exception:  # copier forgets a recorded answer it now refuses
                            del answers.last[name]
                    when = question.get_when()
                    if not when:
                        answers.hide(name)
                        answers.last.pop(name, None)
                        if question.get_default() is MISSING:
                            continue
                    if name in answers.init:
                        value = _given_answer(question, answers.init[name])
                    elif name in answers.last and not question.get_ask():
                        continue
                    elif ask is None or not when or not question.get_ask():
                        value = question.get_default()
                        if value is MISSING:
                            if question.get_ask():
                                missing.append(name)
                            continue
                    else:
                        value = ask(_prompt(question))
                    answers.user[name] = value
                    if name in answers.init or name in answers.user_defaults or ask is not None:
                        chosen.append(name)
                except Exception as exc:
                    if missing:  # it needed an answer that is missing: name those first
                        break
                    if isinstance(exc, PystarterError) or stop_received() is not None:
                        raise
                    raise RenderError(  # the template's own mistake, named where it is
                        f"template {self.template.source} cannot ask its questions: copier.yml, "
                        f"question {name}: {_error_text(exc)}",
                        "fix that question in the template's copier.yml",
                    ) from exc
            result = {name: answers.user[name] for name in chosen if name not in answers.hidden}
            return result, missing
        except PystarterError:
            raise
        except Exception as exc:
            raise _translated(self.template, exc) from exc


#: how a refusal names what a question of each copier type takes
TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "json": "JSON",
    "yaml": "YAML",
}


def _given_answer(question: Any, raw: Any) -> Any:
    """An answer given with --data or --data-file, parsed and validated by copier's question:
    a refusal is one line naming the question, the value and what it takes."""
    name, shown_value = question.var_name, shown(raw if isinstance(raw, str) else str(raw))
    try:
        value = question.parse_answer(raw)
    except Exception as exc:
        if question.choices:
            valid = [str(c.value) for c in question._formatted_choices if not c.disabled]
            reason = str(exc).partition(": ")[2] if "Invalid choice" in str(exc) else ""
            detail = reason if reason and " is not in " not in reason else ""
            raise UsageError(
                f"{name} cannot be {shown_value}" + (f": {detail}" if detail else ""),
                f"choose one of {', '.join(valid)}",
            ) from exc
        kind = question.get_type_name()
        raise UsageError(
            f"{name} must be {TYPE_WORDS.get(kind, kind)}, not {shown_value}",
            f"e.g. --data {name}=" + {"int": "1", "float": "1.5", "bool": "true"}.get(kind, "..."),
        ) from exc
    try:
        question.validate_answer(value)
    except ValueError as exc:
        refused = REFUSED_ANSWER.match(str(exc))
        reason = " ".join((refused.group(2) if refused else str(exc)).split())
        raise UsageError(
            f"{name} {shown_value} is refused: {reason}", f"give another value: --data {name}=..."
        ) from exc
    return value


def _prompt(question: Any) -> Any:
    """copier's question as a plain :class:`~pystarter.questionnaire.Prompt` for the wizard."""
    from copier._types import MISSING

    from pystarter.questionnaire import Prompt, PromptChoice

    default = question.get_default()
    help_text = str(question.render_value(question.help) or "").strip() if question.help else ""
    type_name = question.get_type_name()

    def check(value: Any) -> Any:
        try:
            answer = question.parse_answer(value)
        except Exception as exc:  # copier says "Invalid input" and asks again
            words = TYPE_WORDS.get(type_name)
            raise ValueError(f"Invalid input: give {words}" if words else "Invalid input") from exc
        try:
            question.validate_answer(answer)
        except ValueError as exc:
            refused = REFUSED_ANSWER.match(str(exc))
            raise ValueError(refused.group(2).strip() if refused else str(exc)) from exc
        return answer

    choices = tuple(
        PromptChoice(str(c.title), c.value, str(c.disabled or "").strip())
        for c in (question._formatted_choices if question.choices else ())
    )
    return Prompt(
        name=question.var_name,
        type=type_name,
        message=question.get_message().strip(),
        default=None if default is MISSING else default,
        has_default=default is not MISSING,
        check=check,
        help=help_text,
        placeholder=str(question.get_placeholder() or ""),
        choices=choices,
        multiselect=bool(question.multiselect),
        secret=bool(question.secret),
        multiline=question.get_multiline(),
    )


@contextmanager
def open_template(template: TemplateSource) -> Iterator[Session]:
    """The template's files at the ref copier will render (a temporary clone for git)."""
    with checkout(template) as root:
        yield Session(template, root)


def check_copy(
    root: Path, target: Path, data: Mapping[str, Any], trusted: bool, vcs_ref: str | None
) -> tuple[list[str], str]:
    """Render ``root`` with its defaults plus ``data``; tasks run only when it is trusted, after
    the files copier rendered are listed (a task's ``git init`` is not a rendered file).
    Returns those files and the answers file's path as copier rendered its name. copier's
    own exceptions are left to the caller, which reports each as a problem line."""
    from copier._main import Worker, _operation
    from copier._types import Phase

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Worker(
            src_path=str(root),
            dst_path=target,
            data=dict(data),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=trusted,
            vcs_ref=vcs_ref,
            skip_tasks=True,
        ) as worker:
            worker.run_copy()
            files = sorted(
                p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()
            )
            answers_file = worker.answers_relpath.as_posix()
            if trusted and worker.template.tasks:
                token = _operation.set("copy")
                try:
                    with Phase.use(Phase.TASKS):
                        worker._execute_tasks(worker.template.tasks)
                finally:
                    _operation.reset(token)
    return files, answers_file


def is_untrusted_error(exc: BaseException) -> bool:
    from copier.errors import UnsafeTemplateError

    return isinstance(exc, UnsafeTemplateError)


def update(
    template: TemplateSource,
    target: Path,
    answers: Mapping[str, Any],
    *,
    answers_file: str | None = None,
    skip_tasks: bool = False,
) -> None:
    """One side of an update's three-way merge: ``template`` (at ``template.vcs_ref``) rendered
    with ``answers`` into the empty folder ``target``, its answers file named ``answers_file``.
    The merge itself is git's (:mod:`pystarter.merge`), so every kind of template is merged
    the same way and every conflict is listed."""
    from copier._main import _operation

    token = _operation.set("update")  # as copier renders both sides: _copier_operation
    try:
        _run_copy(
            template.location,
            target,
            answers,
            template.trusted,
            template.vcs_ref,
            skip_tasks,
            answers_file=answers_file,
        )
    except Exception as exc:
        translated = _translated(template, exc)
        if isinstance(translated, OSError):
            raise UpdateError(
                f"cannot render {template.source} for the update: {translated.strerror}",
                "free some space in the temporary folder; the project was not touched",
            ) from exc
        raise translated from exc
    finally:
        _operation.reset(token)


def _run_copy(
    source: str,
    target: Path,
    answers: Mapping[str, Any],
    trusted: bool,
    vcs_ref: str | None,
    skip_tasks: bool = False,
    **settings: Any,
) -> Any:
    """copier's ``run_copy`` as every render here calls it: no question asked, nothing printed,
    files written over; copier's notices (a dirty or old template) silenced."""
    from copier import run_copy

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run_copy(
            source,
            target,
            data=dict(answers),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=trusted,
            vcs_ref=vcs_ref,
            skip_tasks=skip_tasks,
            **settings,
        )


def _translated(
    template: TemplateSource, exc: Exception, root: Path | None = None
) -> BaseException:
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


def _error_text(exc: BaseException) -> str:
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


#: copier 9.19's update-time commands in the project, in its order: the ``before``
#: migrations, the template's ``_tasks``, the ``after`` migrations.
STAGES = ("before", "tasks", "after")


@contextmanager
def project_tasks(
    template: TemplateSource,
    project: Path,
    answers: Mapping[str, Any],
    *,
    answers_file: str | None = None,
) -> Iterator[Callable[[str, bool], list[str]]]:
    """copier's own update-time commands, in the project itself, with ``_copier_operation ==
    "update"`` and copier's environment variables (``STAGE``, ``VERSION_FROM``,
    ``VERSION_PEP440_TO``, ...). Yields ``commands(stage, run)``: for ``stage`` ``before`` or
    ``after`` the ``_migrations`` between the project's recorded version (its answers file as
    it is on entry) and ``template``'s, as copier's ``Template.migration_tasks`` selects them
    (none when either version is unknown, as in copier); for ``tasks`` the ``_tasks``. It
    returns each command whose ``when`` holds, as copier renders it, and runs them in order
    with copier's ``Worker._execute_tasks`` when ``run`` (a failing one raises
    :class:`RenderError`)."""
    from copier._main import Worker, _operation

    token = _operation.set("update")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            settings: dict[str, Any] = {"answers_file": answers_file} if answers_file else {}
            with Worker(
                src_path=template.location,
                dst_path=project,
                data=dict(answers),
                defaults=True,
                overwrite=True,
                quiet=True,
                unsafe=template.trusted,
                vcs_ref=template.vcs_ref,
                **settings,
            ) as worker:
                worker._ask()
                old = worker.subproject.template  # read now: the update rewrites the file

                def commands(stage: str, run: bool) -> list[str]:
                    try:
                        return _commands(worker, old, stage, run)
                    except Exception as exc:
                        raise _translated(template, exc) from exc

                yield commands
    except PystarterError:
        raise
    except Exception as exc:
        raise _translated(template, exc) from exc
    finally:
        _operation.reset(token)


def _commands(worker: Any, old: Any, stage: str, run: bool) -> list[str]:
    from copier._tools import cast_to_bool
    from copier._types import Phase

    if stage == "tasks":
        tasks = list(worker.template.tasks)
    else:
        tasks = list(worker.template.migration_tasks(stage, old)) if old is not None else []
    done: list[str] = []
    for task in tasks:
        extra = {f"_{k}": v for k, v in task.extra_vars.items()}
        extra["_copier_operation"] = "update"
        if not cast_to_bool(worker._render_value(task.condition, extra)):
            continue
        command = task.cmd
        if isinstance(command, str):
            done.append(worker._render_string(command, extra))
        else:
            done.append(" ".join(worker._render_string(str(p), extra) for p in command))
        if run:
            with Phase.use(Phase.TASKS if stage == "tasks" else Phase.MIGRATE):
                worker._execute_tasks([task])
    return done
