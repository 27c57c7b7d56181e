"""The one copier adapter: this package is the only place that imports copier, and only inside
its functions (``pystarter --help`` and ``--version`` never load it).

``new`` renders with :meth:`Session.copy`, ``update`` with :func:`update` and
:func:`project_tasks`, ``templates check`` with :func:`check_copy`; a custom template's
questions are copier's own (:class:`Questions`, in :mod:`pystarter.render.questions`), for the
wizard, ``--data`` and ``check`` alike. Whatever copier raises becomes one of
:mod:`pystarter.errors` (:mod:`pystarter.render.errors`); a Jinja error names ``path:line``.
Disk failures stay ``OSError`` so the caller can say which folder refused the write.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pystarter.errors import UpdateError, stop_received
from pystarter.render.errors import is_untrusted_error, template_error, translated
from pystarter.render.questions import Questions
from pystarter.render.tasks import project_tasks
from pystarter.sources import TemplateSource, checkout

__all__ = [
    "Questions",
    "Session",
    "check_copy",
    "is_untrusted_error",
    "load",
    "open_template",
    "project_tasks",
    "template_error",
    "update",
]


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
            rendered = str(worker._render_string(message)).strip() if message else ""
        except Exception as exc:
            raise translated(self.template, exc, self.root) from exc
        interrupt = stop_received()
        if interrupt is not None:  # a library swallowed it and copier went on: still a stop
            raise interrupt
        return rendered

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
            raise translated(self.template, exc, self.root) from exc


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
        settings = _unattended(data, trusted, vcs_ref, skip_tasks=True)
        with Worker(src_path=str(root), dst_path=target, **settings) as worker:
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
        ours = translated(template, exc)
        if isinstance(ours, OSError):
            raise UpdateError(
                f"cannot render {template.source} for the update: {ours.strerror}",
                "free some space in the temporary folder; the project was not touched",
            ) from exc
        raise ours from exc
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
            source, target, **_unattended(answers, trusted, vcs_ref, skip_tasks), **settings
        )


def _unattended(
    answers: Mapping[str, Any], trusted: bool, vcs_ref: str | None, skip_tasks: bool
) -> dict[str, Any]:
    """copier's settings for every render here: the answers given, defaults for the rest, no
    question asked, nothing printed, files written over."""
    return {
        "data": dict(answers),
        "defaults": True,
        "overwrite": True,
        "quiet": True,
        "unsafe": trusted,
        "vcs_ref": vcs_ref,
        "skip_tasks": skip_tasks,
    }
