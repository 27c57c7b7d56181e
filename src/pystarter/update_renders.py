"""The renders ``update``, ``add`` and ``remove`` merge: the template's copier.yml at the
version being rendered, the recorded answers fitted to it and completed, and a render made in
a temporary folder and stored as a git tree in the project's repository. No terminal I/O."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pystarter import merge, render
from pystarter.answers import builtin_answers, check_data_keys
from pystarter.errors import MissingAnswersError
from pystarter.merge import GitProject
from pystarter.questionnaire import checked_answers
from pystarter.subproject import RECORD_PREFIX, Origin, Project, append_record
from pystarter.template_config import TemplateConfig, read_template_config


def has_commands(config: TemplateConfig) -> bool:
    return bool(config.settings.get("_migrations") or config.settings.get("_tasks"))


def given_answers(
    config: TemplateConfig, origin: Origin, data: Mapping[str, Any]
) -> dict[str, Any]:
    """``--data`` checked as ``new`` checks it: every key a question ("did you mean"), and for a
    custom template every value of its question's type and choices (``with_docs=maybe`` is
    refused, ``with_docs=yes`` is true)."""
    check_data_keys(data, config.question_list(), origin.source, origin.framework)
    if origin.framework is not None:  # the built-in's values: the option rules (features.py)
        return dict(data)
    return checked_answers(config.question_list(), data, origin.source)


def config_of(origin: Origin) -> TemplateConfig:
    from pystarter.sources import checkout

    with checkout(origin.template) as root:
        config = read_template_config(root)
    config.check_trust(origin.template.source, origin.template.trusted)
    config.check_extensions(origin.template.source)
    return config


def complete(
    project: Project, origin: Origin, config: TemplateConfig, given: Mapping[str, Any]
) -> dict[str, Any]:
    if origin.framework is not None:
        return builtin_answers(origin.framework, given, project.path.name)
    missing = config.required_keys(given)
    if missing:
        raise MissingAnswersError(missing)
    return dict(given)


def fit_answers(config: TemplateConfig, answers: Mapping[str, Any], notes: list[str]) -> dict:
    """The recorded answers the template still accepts; one that no longer fits its question
    (a bool that became a choice, a choice that went away) is dropped with a note, so the
    template's default is used as copier's own update does."""
    kept = {}
    for key, value in answers.items():
        spec = config.questions.get(key)
        problem = _misfit(spec, value) if isinstance(spec, dict) else None
        if problem is None:
            kept[key] = value
        else:
            notes.append(
                f"the recorded answer {key}={value!r} no longer fits ({problem}): "
                f"the template's default is used"
            )
    return kept


def _misfit(spec: Mapping[str, Any], value: Any) -> str | None:
    from pystarter.template_config import Question

    question = Question.parse("answer", spec)
    if question.choices:
        values = [choice.value for choice in question.choices]
        given = value if question.multiselect and isinstance(value, list) else [value]
        if any(item not in values for item in given):
            return f"now one of {', '.join(str(v) for v in values)}"
        return None
    types: dict[str, type | tuple[type, ...]] = {
        "bool": bool,
        "int": int,
        "float": (int, float),
        "str": str,
    }
    expected = types.get(question.type)
    if expected is not None and (
        not isinstance(value, expected) or (question.type != "bool" and isinstance(value, bool))
    ):
        return f"now of type {question.type}"
    return None


def excluded(config: TemplateConfig, answers: Mapping[str, Any]) -> tuple[str, ...]:
    """The template's ``_exclude`` patterns, rendered with the answers as copier renders them
    (one pattern per line of a rendered entry)."""
    from pystarter.template_config import render_maybe

    patterns = config.settings.get("_exclude") or []
    if not isinstance(patterns, list):
        patterns = [patterns]
    found: list[str] = []
    for pattern in patterns:
        text = render_maybe(str(pattern), {**answers, "_copier_operation": "update"})
        found += [line for line in str(text if text is not None else pattern).splitlines() if line]
    return tuple(found)


def render_tree(
    project: Project,
    repo: GitProject,
    origin: Origin,
    answers: Mapping[str, Any],
    config: TemplateConfig,
    skip_tasks: bool,
    ignored: dict[str, bytes] | None = None,
) -> str:
    """The render's git tree; its files that the template's own ignore rules leave out of
    the tree go into ``ignored`` when given (see :func:`merge.apply_ignored`)."""
    with tempfile.TemporaryDirectory(prefix="pystarter-update-") as scratch:
        rendered = Path(scratch) / "project"
        render.update(
            origin.template,
            rendered,
            answers,
            answers_file=project.answers_file,
            skip_tasks=skip_tasks or not origin.template.trusted,
        )
        append_record(rendered / project.answers_file, _record(project, origin))
        if ignored is not None:
            ignored.update(merge.ignored_files(repo, rendered))
        return merge.render_tree(repo, rendered)


def _record(project: Project, origin: Origin) -> dict[str, Any]:
    """pystarter's keys for a render: a built-in's version is the pystarter that renders it
    (the version really rendered, so ``update --check`` and ``update`` agree)."""
    from pystarter import __version__

    record = dict(project.record)
    if origin.kind == "builtin" and f"{RECORD_PREFIX}version" in record:
        record[f"{RECORD_PREFIX}version"] = __version__
    return record


def rendered_commit(repo: GitProject, tree: str, project: Project) -> str | None:
    import yaml

    shown = repo.run("cat-file", "blob", f"{tree}:{project.answers_file}", check=False)
    try:
        answers = yaml.safe_load(shown.stdout) if shown.returncode == 0 else None
    except yaml.YAMLError:
        return None
    return str(answers["_commit"]) if isinstance(answers, dict) and "_commit" in answers else None
