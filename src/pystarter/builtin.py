"""The built-in template: where it is, which frameworks it has, and its questions as its
copier.yml defines them (read with YAML only, nothing rendered: ``--help`` lists choices)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pystarter.template_config import Question, TemplateConfig, read_template_config

FRAMEWORKS: tuple[str, ...] = ("django", "flask", "fastapi")


def builtin_templates_dir() -> Path:
    """The built-in copier template (one questionnaire, a folder per framework). Inside the
    wheel it sits in the package; in a checkout, at the repository root."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"


@cache
def builtin_config() -> TemplateConfig:
    """The built-in template's copier.yml, read once per run: the file ships with pystarter
    and does not change while it runs (--help, the option table, the questionnaire and
    ``new`` all ask)."""
    return read_template_config(builtin_templates_dir())


def builtin_questions() -> tuple[Question, ...]:
    return tuple(builtin_config().question_list())


def choice_values(name: str) -> tuple[str, ...]:
    """The values a built-in choice question offers, as copier.yml lists them."""
    question = next(q for q in builtin_questions() if q.name == name)
    return tuple(str(choice.value) for choice in question.choices)
