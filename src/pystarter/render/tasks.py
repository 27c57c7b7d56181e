"""copier's update-time commands in a project (:func:`project_tasks`): its ``_migrations`` and
``_tasks``, rendered and run as copier runs them during ``copier update``. copier is imported in
the functions, never when this module loads."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter.errors import PystarterError
from pystarter.render.errors import translated

if TYPE_CHECKING:
    from pystarter.sources import TemplateSource


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
                        raise translated(template, exc) from exc

                yield commands
    except PystarterError:
        raise
    except Exception as exc:
        raise translated(template, exc) from exc
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
