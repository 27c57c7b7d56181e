"""What the user gave ``pystarter new``, checked before anything is decided: the framework from
``-f`` or ``-d framework=``, the built-in's flags, ``--data`` and ``--data-file`` (keys, types,
values, option rules), the needs, and the built-in flags a custom template refuses. Each check
names what the user typed; nothing is asked or rendered here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pystarter import options as options_table
from pystarter.answers import (
    builtin_answer_problems,
    check_data_keys,
    coerce_option_types,
    file_answer_problems,
    layer,
    lower_choices,
)
from pystarter.builtin import builtin_config
from pystarter.errors import UsageError, together
from pystarter.names import shown
from pystarter.options import FLAGS, FRAMEWORKS
from pystarter.sources import TemplateSource
from pystarter.template_config import Question, TemplateConfig


def check_framework(framework: str, typed: str) -> str:
    if framework != "auto" and framework not in FRAMEWORKS:
        raise UsageError(
            f"unknown framework in {typed}",
            f"choose auto, {', '.join(FRAMEWORKS)}",
        )
    return framework


def framework_from_answers(
    framework: str, data: Mapping[str, Any], from_file: Mapping[str, Any], path: Path | None
) -> str:
    """``-d framework=X`` (or ``framework: X`` in the answers file) is ``-f X``; refused when
    it disagrees with ``-f`` or with the other."""
    chosen, chosen_by = framework, f"--framework {framework}"
    for value, typed in (
        (data.get("framework"), "--data framework={}"),
        (from_file.get("framework"), f"framework: {{}} in answers file {path}"),
    ):
        if value is None:
            continue
        value = check_framework(str(value).strip().lower(), typed.format(shown(value)))
        if value == "auto":
            continue
        if chosen not in ("auto", value):
            raise UsageError(
                f"{chosen_by} and {typed.format(value)} contradict each other",
                "give the framework once",
            )
        chosen, chosen_by = value, typed.format(value)
    return chosen


def builtin_problems(
    flags: Mapping[str, Any],
    answers_file: Path | None,
    framework: str,
    needs: tuple[str, ...],
    data: dict[str, Any],
    from_file: dict[str, Any],
    origins: dict[str, str],
) -> list[UsageError]:
    """What the built-in template refuses in the flags, ``--data`` and ``--data-file``: their
    keys, types and values, the needs and the option rules (``framework`` may be ``auto``)."""
    problems: list[UsageError] = []
    questions = builtin_config().question_list()
    source = f"builtin:{framework}" if framework in FRAMEWORKS else "builtin"
    try:
        check_data_keys(data, questions, source)
    except UsageError as exc:
        problems.append(exc)
    if answers_file:
        problems += file_answer_problems(answers_file, from_file, questions, source)
    # each value once: a file whose keys or types are wrong is not checked value by value
    checked = layer(flags, data) if problems else layer(flags, data, from_file)
    try:
        typed = lower_choices(coerce_option_types(checked))
    except UsageError as exc:
        return [*problems, exc]
    if framework in FRAMEWORKS:
        typed["framework"] = framework
    return problems + builtin_answer_problems(typed, with_needs(origins, needs), needs)


def with_needs(origins: Mapping[str, str], needs: tuple[str, ...]) -> dict[str, str]:
    """``--need auth`` is what the user typed for ``use_auth``, unless a flag answered it."""
    by_need = {
        key: f"--need {need}" for need in needs for key in options_table.NEED_ANSWERS.get(need, {})
    }
    return {**by_need, **origins}


def check_keys(
    data: Mapping[str, Any],
    from_file: Mapping[str, Any],
    answers_file: Path | None,
    config: TemplateConfig,
    template: TemplateSource,
) -> None:
    """``--data`` and ``--data-file`` keys (and the file's types) against the template's
    questions, every problem at once (for a built-in, :func:`pystarter.new.gather` found them
    already)."""
    problems: list[UsageError] = []
    try:
        check_data_keys(data, config.question_list(), template.source)
    except UsageError as exc:
        problems.append(exc)
    if answers_file:
        problems += file_answer_problems(
            answers_file, from_file, config.question_list(), template.source
        )
    if problems:
        raise together(problems)


def refuse_builtin_flags(
    flags: Mapping[str, Any], framework: str, questions: list[Question], template: TemplateSource
) -> None:
    """Flags answer a custom template's questions of the same name, and nothing else."""
    asked = {q.name for q in questions}
    for key in flags:
        if key not in asked:
            flag = FLAGS[key][0] if key in FLAGS else key
            raise UsageError(
                f"{flag} answers the question {key}, which template {template.source} does not ask",
                "leave it out, or give the template's own questions with --data KEY=VALUE",
            )
    if framework != "auto":
        raise UsageError(
            f"--framework {framework} picks a built-in template, and --template "
            f"{template.source} was given too",
            "give one of them",
        )
