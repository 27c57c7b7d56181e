"""Layer answers: flags > --data > --data-file > config [defaults] > git config > defaults."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from pystarter import options
from pystarter.errors import UsageError, together
from pystarter.git import user_identity
from pystarter.names import derive_names, shown, validate_package_name, validate_slug
from pystarter.options import (
    COMPUTED,
    FLAGS,
    allowed_choices,
    builtin_questions,
    check_compatible,
    default_options,
    implied,
    validate_choice,
)
from pystarter.questionnaire import Questionnaire, unknown_keys
from pystarter.template_config import FALSE_WORDS, TRUE_WORDS, Question, cast_answer

#: Answers pystarter computes, so a template need not compute them in Jinja.
NAME_KEYS = ("project_name", "project_slug", "package_name")
#: What Django's ``check --deploy`` asks of a production key (and a safe floor for the others).
MIN_SECRET_LENGTH = 50
#: Answers that are one line of text: no line breaks, tabs or other control characters.
ONE_LINE_KEYS = (*NAME_KEYS, "description", "author_name", "author_email")


def parse_data_items(items: list[str], builtin_types: bool = True) -> dict[str, Any]:
    """``["database=postgresql", "use_auth=true"]`` -> answers; with ``builtin_types`` the
    built-in template's booleans are typed (a custom template's types are its own)."""
    data: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise UsageError(
                f"--data {shown(item)} is not KEY=VALUE", "e.g. --data database=postgresql"
            )
        if key.startswith("_"):
            raise UsageError(
                f"--data {shown(key)}: keys starting with '_' are the template's settings",
                "give only answers to the template's questions",
            )
        data[key] = value
    return coerce_option_types(data) if builtin_types else data


def check_text_answers(answers: Mapping[str, Any]) -> None:
    """Refuse text no file can hold (NUL, lone surrogates), and line breaks in one-line answers.

    Everything else is written as given: answers are data to the template, never Jinja.
    """
    for key, value in answers.items():
        if not isinstance(value, str):
            continue
        bad = _unwritable_character(value, one_line=key in ONE_LINE_KEYS)
        if bad is None:
            continue
        flag = FLAGS[key][0] if key in FLAGS else f"--data {key}=..."
        raise UsageError(
            f"{key} contains {bad}, which the project's files cannot hold",
            f"give {flag} as one line of printable UTF-8 text",
        )


#: RFC 5322 dot-atom ``local@domain``: always a valid address, checked without importing email.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)


def is_email(text: str) -> bool:
    """An address the generated project's build backend accepts in ``authors`` (core metadata)."""
    if PLAIN_EMAIL.fullmatch(text):
        return True
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        Address(addr_spec=text)
    except (ValueError, IndexError, HeaderParseError):
        return False
    return "@" in text


def check_email(text: str) -> None:
    """Refuse an author email the project could not be built with (empty is fine)."""
    if text and not is_email(text):
        raise UsageError(
            f"author email {shown(text)} is not an email address",
            "give --email you@example.com, or leave it empty",
        )


def _without_unusable_email(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    """Config and git identity are guesses: an email from them that cannot work is dropped."""
    email = mapping.get("author_email")
    if email and not is_email(str(email)):
        return {k: v for k, v in mapping.items() if k != "author_email"}
    return mapping


def _unwritable_character(text: str, one_line: bool) -> str | None:
    for char in text:
        category = unicodedata.category(char)
        if char == "\x00" or category == "Cs" or (one_line and category in ("Cc", "Zl", "Zp")):
            kind = "a lone surrogate" if category == "Cs" else "a control character"
            return f"{kind} (U+{ord(char):04X})"
    return None


def coerce_option_types(data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn "true"/"no" into booleans for the boolean options; leave other keys to copier."""
    typed = dict(data)
    for key, value in data.items():
        option = options.OPTIONS_BY_KEY.get(key)
        if option is None or not isinstance(value, str) or not option.is_bool:
            continue
        word = value.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            typed[key] = word in TRUE_WORDS
        else:
            raise UsageError(
                f"{key} must be true or false, not {shown(value)}", f"--data {key}=true"
            )
    return typed


def load_answers_file(
    path: Path, builtin_types: bool = True, notes: list[str] | None = None
) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot read answers file {path}: {exc.strerror}", "check the path"
        ) from exc
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"answers file {path} is not UTF-8 text (byte {exc.start})", "save it as UTF-8"
        ) from exc
    try:
        if path.suffix == ".json":
            loaded = json.loads(text)
        else:
            import yaml

            loaded = yaml.safe_load(text)
    except ValueError as exc:  # json.JSONDecodeError and yaml.YAMLError's subclasses
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "bad syntax"
        raise UsageError(
            f"answers file {path} is not valid: {first_line}", "fix its syntax"
        ) from exc
    except Exception as exc:
        raise UsageError(f"answers file {path} is not valid YAML", "fix its syntax") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise UsageError(f"answers file {path} is not a mapping", "write key: value lines")
    answers = {str(k): v for k, v in loaded.items() if not str(k).startswith("_")}
    # copier's own keys (_src_path, _commit) in a reused answers file are its record
    skipped = [str(k) for k in loaded if str(k).startswith("_")]
    if skipped and notes is not None:
        notes.append(f"{path}: skipped {', '.join(skipped)} (copier's own keys, not answers)")
    return coerce_option_types(answers) if builtin_types else answers


def check_data_keys(
    keys: Iterable[str],
    questions: list[Question],
    template: str,
    framework: str | None = None,
) -> None:
    """Every ``--data`` key must be a question of the template ("did you mean"), for ``new``,
    ``add``, ``remove`` and ``update`` alike; all unknown keys are reported at once. In a
    project of a built-in template (``framework``), ``framework`` is not an answer to change."""
    problems: list[UsageError] = []
    for key in keys:
        if framework is not None and key == "framework":
            problems.append(
                UsageError(
                    f"--data framework: this project is a {framework} project, and stays one",
                    "leave framework out; start a new project for another framework",
                )
            )
            continue
        try:
            unknown_keys([key], questions, template)
        except UsageError as exc:
            problems.append(exc)
    if problems:
        raise together(problems)


def file_answer_problems(
    path: Path, answers: Mapping[str, Any], questions: list[Question], template: str
) -> list[UsageError]:
    """An answers file gets the checks ``--data`` gets: each key a question of the template
    (or "did you mean"), each value of the question's type; every problem names the file."""
    by_name = {q.name: q for q in questions}
    problems = []
    for key, value in answers.items():
        question = by_name.get(key)
        if question is None:
            try:
                unknown_keys([key], questions, template)
            except UsageError as exc:
                problems.append(UsageError(f"answers file {path}: {exc.message}", exc.hint))
            continue
        wrong = _type_problem(question, value)
        if wrong:
            problems.append(
                UsageError(
                    f"answers file {path}: {key} is {wrong}",
                    f"give {key} a {question.type} value in {path.name}",
                )
            )
    return problems


def _type_problem(question: Question, value: Any) -> str | None:
    """What is wrong with ``value`` as an answer to ``question`` (None: copier takes it)."""
    if value is None or question.type in ("json", "yaml"):
        return None
    if question.multiselect:
        items = value if isinstance(value, list) else [value]
        bad = next((v for v in items if isinstance(v, (dict, list))), None)
        return None if bad is None else f"a {_kind(bad)} inside the list"
    if isinstance(value, (dict, list)):
        return f"a {_kind(value)}, not a {question.type}"
    cast = cast_answer(question.type, value)
    if question.type == "bool" and not isinstance(cast, bool):
        return f"{shown(value)}, not true or false"
    if question.type in ("int", "float") and (
        isinstance(cast, (str, bool)) or not isinstance(cast, (int, float))
    ):
        return f"{shown(value)}, not a number"
    return None


def _kind(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "list"


def running_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def layer(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge mappings, the first one winning; ``None`` values count as not given."""
    merged: dict[str, Any] = {}
    for mapping in reversed(layers):
        merged.update({k: v for k, v in mapping.items() if v is not None})
    return merged


def builtin_defaults(
    framework: str, needs: tuple[str, ...], lower_layers: tuple[Mapping[str, Any], ...]
) -> dict[str, Any]:
    """What a built-in question defaults to when nobody answered it: what the needs ask for
    (``--need auth``), then config ``[defaults]`` and git identity (``lower_layers``), then
    copier.yml's default (the running Python for ``python_version``)."""
    defaults: dict[str, Any] = {
        **default_options(framework),
        "description": "",
        "author_name": "",
        "author_email": "",
        "python_version": running_python(),
    }
    guesses = tuple(_without_unusable_email(mapping) for mapping in lower_layers)
    return layer(options.need_answers(framework, needs), *guesses, defaults)


def builtin_questionnaire(
    framework: str,
    needs: tuple[str, ...],
    lower_layers: tuple[Mapping[str, Any], ...],
    fallback_name: str,
) -> Questionnaire:
    """The built-in template's questions as the wizard asks them for ``framework``."""
    return Questionnaire(
        questions=list(builtin_questions()),
        context={"framework": framework},
        defaults={
            "project_name": fallback_name,
            **builtin_defaults(framework, needs, lower_layers),
        },
        labels={key: label for key, (_, label) in FLAGS.items()},
        skipped=COMPUTED,
        allowed=lambda key, answers: (
            allowed_choices(key, framework, answers) if key in options.OPTIONS_BY_KEY else None
        ),
        checks={"project_name": name_problem, "author_email": _email_problem},
    )


def name_problem(text: Any) -> str | None:
    try:
        derive_names(str(text))
    except UsageError as exc:
        return exc.message
    return None


def _email_problem(text: Any) -> str | None:
    return None if not text or is_email(str(text)) else f"{text} is not an email address"


def check_builtin_answers(
    answers: Mapping[str, Any],
    origins: Mapping[str, str] | None = None,
    needs: tuple[str, ...] = (),
) -> None:
    """Refuse what the built-in template cannot take, for the keys ``answers`` has: called on
    the flags and ``--data`` before the wizard's first question, and on the final answers.
    Every problem is reported at once; ``origins`` names each answer as the user typed it."""
    problems = builtin_answer_problems(answers, origins, needs)
    if problems:
        raise together(problems)


def builtin_answer_problems(
    answers: Mapping[str, Any],
    origins: Mapping[str, str] | None = None,
    needs: tuple[str, ...] = (),
) -> list[UsageError]:
    """Each problem of :func:`check_builtin_answers`, checked independently of the others."""
    problems: list[UsageError] = []

    def attempt(check: Callable[..., object], *args: Any, key: str = "") -> None:
        try:
            check(*args)
        except UsageError as exc:
            typed = (origins or {}).get(key, "")
            if typed.startswith("answers file "):  # name the file, not only the key
                exc = UsageError(f"{typed.rpartition(': ')[0]}: {exc.message}", exc.hint)
            problems.append(exc)

    attempt(check_text_answers, answers)
    attempt(check_email, str(answers.get("author_email") or ""))
    for option in options.OPTIONS:
        if option.key in answers:
            attempt(validate_choice, option.key, answers[option.key], key=option.key)
    attempt(_check_python, answers.get("python_version"), key="python_version")
    if "project_name" in answers:
        attempt(derive_names, str(answers["project_name"]))
    attempt(_check_secret, answers.get("secret_key"))
    if "framework" in answers:
        framework = str(answers["framework"])
        problems += options.need_problems(framework, needs)
        if not problems:  # the rules read valid values only
            attempt(check_compatible, framework, answers, origins)
    return problems


def _check_python(python: Any) -> None:
    if python is not None and str(python) not in options.PYTHON_VERSIONS:
        raise UsageError(
            f"Python {shown(python)} is not supported by the templates",
            f"choose one of {', '.join(options.PYTHON_VERSIONS)}",
        )


def _check_secret(secret: Any) -> None:
    if secret is not None and len(str(secret)) < MIN_SECRET_LENGTH:
        raise UsageError(
            f"secret_key is {len(str(secret))} characters long; the projects need at least "
            f"{MIN_SECRET_LENGTH}",
            "leave it out (a new one is generated), or give a longer one",
        )


def builtin_answers(
    framework: str,
    given: Mapping[str, Any],
    fallback_name: str,
    needs: tuple[str, ...] = (),
    lower_layers: tuple[Mapping[str, Any], ...] = (),
    origins: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Complete answers for a built-in template: given ones, then defaults, names and secrets.

    ``given`` already holds flags > --data > --answers-file; ``lower_layers`` are config
    defaults and git identity, used only for what ``given`` lacks; ``origins`` names what the
    user typed for each answer, for the errors.
    """
    # What a deploy target implies (PostgreSQL, Docker) beats config defaults, not the user.
    answers = layer(given, implied(given), builtin_defaults(framework, needs, lower_layers))
    answers["framework"] = framework
    check_builtin_answers(answers, origins, needs)
    answers["python_version"] = str(answers["python_version"])
    answers.update(project_names(answers, fallback_name))
    if "secret_key" not in answers:
        import secrets  # 10 ms of hashlib and random, only when a project is made

        answers["secret_key"] = secrets.token_urlsafe(50)
    return answers


def project_names(answers: Mapping[str, Any], fallback_name: str) -> dict[str, str]:
    """Names from ``project_name`` (or DEST's name); slug and package checked when given."""
    given = answers.get("project_name")
    display = str(fallback_name if given is None else given)
    names = derive_names(display)
    given_slug, given_package = answers.get("project_slug"), answers.get("package_name")
    # An empty value given on purpose is refused, not replaced: a template that receives it
    # as given would render an empty folder name.
    slug = names.slug if given_slug is None else str(given_slug)
    package = names.package if given_package is None else str(given_package)
    validate_slug(slug)
    validate_package_name(package)
    return {"project_name": names.display, "project_slug": slug, "package_name": package}


def lower_choices(given: Mapping[str, Any]) -> dict[str, Any]:
    """The built-in's choices are case-insensitive (``--database PostgreSQL``, ``-d ci=GitLab``):
    lowered here, once, for flags, ``--data`` and the answers file alike."""
    return {
        key: value.lower() if isinstance(value, str) and key in options.OPTIONS_BY_KEY else value
        for key, value in given.items()
    }


def git_identity_if_needed(given: Mapping[str, Any], config: Mapping[str, Any]) -> dict[str, str]:
    """git's user.name and user.email, asked only when neither the answers nor the config
    name the author."""
    if all(given.get(k) or config.get(k) for k in ("author_name", "author_email")):
        return {}
    return user_identity()
