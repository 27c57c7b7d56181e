"""What pystarter knows of the built-in template beyond its copier.yml: which flag answers which
question, which questions it computes, and which combinations are refused, as data.

Choices, defaults and help come from copier.yml (the one definition of the questions). The
wizard hides what a rule forbids, flag validation refuses it (exit 2, naming the clash), and the
test suite derives the option sets it renders from these tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from pystarter.builtin import FRAMEWORKS, builtin_questions
from pystarter.errors import UsageError
from pystarter.names import shown
from pystarter.recommend import FRAMEWORK_TITLES
from pystarter.template_config import Question

Answer = str | bool

#: Built-in questions pystarter answers itself and never asks: the framework comes from the
#: recommendation or ``-f``, the names from names.py, the secret from ``secrets``.
COMPUTED = ("framework", "project_slug", "package_name", "secret_key")
#: The flag of ``new`` that answers each built-in question, and its label for people.
FLAGS: dict[str, tuple[str, str]] = {
    "project_name": ("--name", "Project name"),
    "description": ("--description", "Description"),
    "author_name": ("--author", "Author"),
    "author_email": ("--email", "Email"),
    "python_version": ("--python", "Python version"),
    "database": ("--database", "Database"),
    "use_auth": ("--auth", "User accounts and login"),
    "use_rest_api": ("--rest-api", "REST API"),
    "use_celery": ("--celery", "Celery worker"),
    "use_docker": ("--docker", "Docker"),
    "ci": ("--ci", "Continuous integration"),
    "deploy": ("--deploy", "Deploy target"),
}
#: Options that only add files checked for syntax (Docker, CI), not code that the projects' own
#: tests run; the deploy files are run by pystarter's rehearsal (tests/test_deploy_rehearsal.py).
SYNTAX_ONLY = ("use_docker", "ci", "deploy")


@dataclass(frozen=True)
class Option:
    """A choice question of the built-in template, as its copier.yml defines it per framework."""

    key: str
    """The template's answer key (also the ``--data`` key)."""
    label: str
    choices: tuple[Answer, ...]
    help: str
    defaults: Mapping[str, Answer]
    fixed: Mapping[str, Answer] = field(default_factory=dict)
    """Frameworks for which copier.yml does not ask the question, and its value there."""

    @property
    def runtime(self) -> bool:
        return self.key not in SYNTAX_ONLY

    @property
    def is_bool(self) -> bool:
        return self.choices == (True, False)

    def default_for(self, framework: str) -> Answer:
        return self.fixed.get(framework, self.defaults[framework])

    def offered_for(self, framework: str) -> bool:
        return framework not in self.fixed


def _load_options(questions: list[Question]) -> tuple[Option, ...]:
    questions = [q for q in questions if q.type == "bool" or q.choices]
    contexts: dict[str, dict[str, Any]] = {fw: {"framework": fw} for fw in FRAMEWORKS}
    options = []
    for question in questions:
        if question.name not in FLAGS:
            continue
        defaults: dict[str, Answer] = {}
        fixed: dict[str, Answer] = {}
        for framework, context in contexts.items():
            defaults[framework] = question.default_in(context)
            if not question.asked_in(context):
                fixed[framework] = defaults[framework]
            context[question.name] = defaults[framework]
        choices = (
            (True, False) if question.type == "bool" else tuple(c.value for c in question.choices)
        )
        label = FLAGS[question.name][1]
        options.append(Option(question.name, label, choices, question.help, defaults, fixed))
    return tuple(options)


@dataclass(frozen=True)
class Rule:
    """When every ``when`` item holds, ``key`` may not take ``value``."""

    when: Mapping[str, Answer]
    key: str
    value: Answer
    reason: str

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return all(answers.get(k) == v for k, v in self.when.items())


@cache
def _table() -> dict[str, Any]:
    """Read once, when first used: the wizard's first question does not wait for copier.yml
    and Jinja."""
    questions = list(builtin_questions())
    options = tuple(o for o in _load_options(questions) if o.key != "python_version")
    return {
        "OPTIONS": options,
        "OPTIONS_BY_KEY": {option.key: option for option in options},
        "PYTHON_VERSIONS": next(
            tuple(str(c.value) for c in q.choices) for q in questions if q.name == "python_version"
        ),
    }


def __getattr__(name: str) -> Any:
    """``OPTIONS``, ``OPTIONS_BY_KEY`` and ``PYTHON_VERSIONS``, from copier.yml (PEP 562)."""
    if name in ("OPTIONS", "OPTIONS_BY_KEY", "PYTHON_VERSIONS"):
        return _table()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    OPTIONS: tuple[Option, ...]
    OPTIONS_BY_KEY: dict[str, Option]
    PYTHON_VERSIONS: tuple[str, ...]

RULES: tuple[Rule, ...] = (
    Rule(
        {"framework": "django"},
        "database",
        "none",
        "Django keeps users, sessions and the admin in a database",
    ),
    Rule({"database": "none"}, "use_auth", True, "user accounts need a database"),
    Rule({"framework": "fastapi"}, "use_rest_api", False, "a FastAPI project is a REST API"),
    *(
        Rule({"deploy": target}, "use_docker", False, f"{title} runs the Docker image")
        for target, title in (("fly", "Fly.io"), ("compose", "the production compose file"))
    ),
    *(
        Rule(
            {"deploy": target},
            "database",
            "sqlite",
            f"{title} gives every deploy a fresh disk, so SQLite would lose its data",
        )
        for target, title in (
            ("heroku", "Heroku"),
            ("railway", "Railway"),
            ("elastic-beanstalk", "Elastic Beanstalk"),
        )
    ),
)


@dataclass(frozen=True)
class Implication:
    """When every ``when`` item holds and nobody answered ``key``, ``key`` defaults to
    ``value``; the output says so (the matching :class:`Rule` refuses the other answer)."""

    when: Mapping[str, Answer]
    key: str
    value: Answer


#: What a deploy target picks instead of the answer its rule refuses.
_INSTEAD: dict[str, Answer] = {"use_docker": True, "database": "postgresql"}
#: Defaults that follow from another answer: each is the other side of a rule above.
IMPLICATIONS: tuple[Implication, ...] = tuple(
    Implication(rule.when, rule.key, _INSTEAD[rule.key]) for rule in RULES if "deploy" in rule.when
)


def implied(answers: Mapping[str, Any]) -> dict[str, Answer]:
    """The defaults ``answers`` imply for the questions they leave open."""
    return {
        i.key: i.value
        for i in IMPLICATIONS
        if i.key not in answers and all(answers.get(k) == v for k, v in i.when.items())
    }


def implied_notes(given: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """One line per answer an implication chose (``given`` holds what the user answered)."""
    notes = []
    for i in IMPLICATIONS:
        if i.key in given or answers.get(i.key) != i.value:
            continue
        if all(answers.get(k) == v for k, v in i.when.items()):
            rule = next(r for r in RULES if r.when == i.when and r.key == i.key)
            notes.append(
                f"{_describe_when(i.when)} implies {_describe(i.key, i.value)}: {rule.reason}"
            )
    return notes


#: The answers a need asks of the built-in template, where the framework asks the question
#: (FastAPI is a REST API with OpenAPI docs already). Other needs only weigh the recommendation.
NEED_ANSWERS: dict[str, dict[str, Answer]] = {
    "auth": {"use_auth": True},
    "rest-api": {"use_rest_api": True},
    "openapi": {"use_rest_api": True},  # Django: DRF with its OpenAPI schema and docs
}
#: Needs only some built-in frameworks meet, and why the others cannot.
NEED_FRAMEWORKS: dict[str, tuple[tuple[str, ...], str]] = {
    "admin": (("django",), "only Django ships an admin backend"),
    "openapi": (("django", "fastapi"), "its template has no OpenAPI docs"),
}


def need_answers(framework: str, needs: tuple[str, ...]) -> dict[str, Answer]:
    """What ``needs`` turn on for ``framework`` (``--need auth`` is ``--auth``)."""
    answers: dict[str, Answer] = {}
    for need in needs:
        for key, value in NEED_ANSWERS.get(need, {}).items():
            if _table()["OPTIONS_BY_KEY"][key].offered_for(framework):
                answers[key] = value
    return answers


def need_problems(framework: str, needs: tuple[str, ...]) -> list[UsageError]:
    """One error per need ``framework`` cannot meet."""
    problems = []
    for need in needs:
        meeting, why = NEED_FRAMEWORKS.get(need, ((framework,), ""))
        if framework not in meeting:
            title = FRAMEWORK_TITLES.get(framework, framework)
            problems.append(
                UsageError(
                    f"--need {need} cannot be met by {title}: {why}",
                    f"choose {' or '.join(f'-f {fw}' for fw in meeting)}, or drop --need {need}",
                )
            )
    return problems


def need_notes(
    framework: str, needs: tuple[str, ...], given: Mapping[str, Any], origins: Mapping[str, str]
) -> list[str]:
    """A need's answer is a default (``--rest-api``: "on if need rest-api"): an answer the
    user gave wins, and the output says so (``--need auth --no-auth``: no accounts)."""
    notes = []
    for key, value in need_answers(framework, needs).items():
        if key in given and _as_bool(given[key]) != value:
            need = next(n for n in needs if key in NEED_ANSWERS.get(n, {}))
            typed = origins.get(key) or " ".join(flag_words(key, given[key]))
            notes.append(f"{typed} was given, so --need {need} did not turn {key} on")
    return notes


def _as_bool(value: Any) -> Any:
    """``"no"`` / ``"true"`` from ``--data`` as the boolean they mean; other values as given."""
    from pystarter.template_config import FALSE_WORDS, TRUE_WORDS

    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    return value


#: Pairs of options whose code meets at run time: the suite renders every value pair of these.
INTERACTING_PAIRS: tuple[tuple[str, str], ...] = (
    ("database", "use_auth"),
    ("database", "use_celery"),
    ("database", "use_rest_api"),
    ("use_auth", "use_rest_api"),
)


def allowed_choices(key: str, framework: str, answers: Mapping[str, Any]) -> tuple[Answer, ...]:
    """The choices of ``key`` that no rule forbids, given the other answers."""
    option = _table()["OPTIONS_BY_KEY"][key]
    if not option.offered_for(framework):
        return (option.fixed[framework],)
    context = {**answers, "framework": framework}

    def forbidden(choice: Answer) -> bool:
        """A rule the choice would break, whichever side of the rule ``key`` is on."""
        trial = {**context, key: choice}
        return any(
            (r.key == key or key in r.when) and r.applies(trial) and trial.get(r.key) == r.value
            for r in RULES
        )

    return tuple(choice for choice in option.choices if not forbidden(choice))


def default_options(framework: str) -> dict[str, Answer]:
    return {option.key: option.default_for(framework) for option in _table()["OPTIONS"]}


def clashes(
    framework: str, answers: Mapping[str, Any], origins: Mapping[str, str] | None = None
) -> list[str]:
    """One sentence per rule or fixed value the answers break; empty when they are fine.

    With ``origins`` (what the user typed for each answer they gave, ``--need auth`` for
    ``use_auth``), each answer is named as typed, and a clash that involves a default is left
    out while another one, between answers the user gave, explains the refusal.
    """
    context = {**answers, "framework": framework}
    broken = [r for r in RULES if r.applies(context) and context.get(r.key) == r.value]
    if origins is not None:
        typed = {**origins, "framework": framework}
        given = [r for r in broken if all(k in typed for k in (r.key, *r.when))]
        broken = given or broken

    def words(key: str, value: Answer) -> str:
        if origins is not None and key in origins:
            return origins[key]
        return _describe(key, value)

    return [
        f"{words(r.key, r.value)} with "
        f"{' and '.join(words(k, v) for k, v in r.when.items())}: {r.reason}"
        for r in broken
    ]


def check_compatible(
    framework: str, answers: Mapping[str, Any], origins: Mapping[str, str] | None = None
) -> None:
    problems = clashes(framework, answers, origins)
    if problems:
        raise UsageError(
            f"these options do not go together: {'; '.join(problems)}",
            "drop or change one of them",
        )


def validate_choice(key: str, value: Any) -> None:
    option = _table()["OPTIONS_BY_KEY"].get(key)
    if option is not None and value not in option.choices:
        names = ", ".join(_flag_value(c) for c in option.choices)
        raise UsageError(f"{key} cannot be {shown(value)}", f"choose one of {names}")


def _flag_value(value: Answer) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def flag_words(key: str, value: Any) -> list[str]:
    """The flag of ``new`` that gives ``key`` this value: ``--no-auth``, ``--database none``,
    or ``--data key=value`` for a question without a flag of its own."""
    if key not in FLAGS:
        return [f"--data={key}={value}"]
    flag = FLAGS[key][0]
    if isinstance(value, bool):
        return [flag if value else flag.replace("--", "--no-", 1)]
    return [flag, str(value)]


def _describe(key: str, value: Answer) -> str:
    return str(value) if key == "framework" else " ".join(flag_words(key, value))


def _describe_when(when: Mapping[str, Answer]) -> str:
    return " and ".join(_describe(k, v) for k, v in when.items())
