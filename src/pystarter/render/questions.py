"""copier's own questionnaire of a custom template (:class:`Questions`), in its ``Worker``'s
context: the one implementation behind the wizard, ``--no-input``, ``--data``, ``--data-file``
and ``templates check``.

It uses copier 9's ``Worker`` and ``Question`` as copier's ``Worker._ask`` does (private names:
``_render_context``, ``_formatted_choices``), imported in the functions, never when this module
loads; a copier upgrade is checked by tests/test_copier_parity.py and
tests/test_wizard_custom.py."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pystarter.errors import (
    PystarterError,
    RenderError,
    UntrustedTemplateError,
    UsageError,
    stop_received,
)
from pystarter.names import shown
from pystarter.render.errors import REFUSED_ANSWER, error_text, translated

if TYPE_CHECKING:
    from pystarter.sources import TemplateSource


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
            raise translated(self.template, exc, self.root) from exc
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
            raise translated(self.template, exc, self.root) from exc

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
                        f"question {name}: {error_text(exc)}",
                        "fix that question in the template's copier.yml",
                    ) from exc
            result = {name: answers.user[name] for name in chosen if name not in answers.hidden}
            return result, missing
        except PystarterError:
            raise
        except Exception as exc:
            raise translated(self.template, exc) from exc


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
