"""Which answer combinations ``templates test`` tries: a covering set of a template's valid ones.

Every bool and choice question is an axis; free-text questions keep their defaults and
``--data`` pins answers. A combination is resolved in question order as copier resolves it: a
question whose ``when`` is false takes its default, a validator (or a choice's validator) that
refuses an answer drops the combination, and so does ``refuses`` (the built-in template's
option rules). From the valid combinations the set covers every value pair of every two axes
(pairwise, greedy) or takes them all (``exhaustive``); the defaults always come first.
What each case gave is a :class:`CaseResult`, the run's a :class:`MatrixReport`.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pystarter.template_config import Question, TemplateConfig

#: Above this many combinations of the axes, a fixed-seed sample of them is searched instead
#: (plus every single change from the defaults, so each value is still tried where valid).
MAX_CANDIDATES = 20_000

Refusal = Callable[[Mapping[str, Any]], bool]
Result = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class Axis:
    name: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Combination:
    """One case's answers: what copier is given, and what differs from the defaults."""

    answers: dict[str, Any]
    """The answers of the asked axis questions and the pinned ones: what copier renders with."""
    changed: dict[str, Any]
    """The answers that differ from their defaults given the earlier answers (what a person
    would type)."""
    context: dict[str, Any]
    """Every answer as copier ends up with it (defaults included): commands render with it."""


def axes(questions: list[Question], pinned: Mapping[str, Any]) -> list[Axis]:
    """The questions whose every value is tried: bools and single choices, not pinned, that
    copier may ask (``when`` not the constant false)."""
    found = []
    for question in questions:
        if question.name in pinned or question.when is False or question.multiselect:
            continue
        if question.choices:
            found.append(Axis(question.name, tuple(c.value for c in question.choices)))
        elif question.type == "bool":
            found.append(Axis(question.name, (True, False)))
    return found


def resolve(
    questions: list[Question], pinned: Mapping[str, Any], picked: Mapping[str, Any]
) -> Combination | None:
    """One pick of axis values as copier would end up answering it; None when a validator
    refuses one of the answers."""
    context: dict[str, Any] = {}
    given: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for question in questions:
        asked = question.asked_in(context)
        default = question.default_in(context) if question.has_default else None
        if question.name in pinned:
            value = pinned[question.name]
        elif asked and question.name in picked:
            value = picked[question.name]
        elif default is not None:
            value = default
        else:  # no default, or one only copier can render (its own filters): left to copier
            continue
        if asked:
            if question.problem(value, context):
                return None
            if question.name in pinned or question.name in picked:
                given[question.name] = value
                if value != default:
                    changed[question.name] = value
        context[question.name] = value
    return Combination(given, changed, context)


def covering_set(
    config: TemplateConfig,
    pinned: Mapping[str, Any],
    *,
    exhaustive: bool = False,
    refuses: Refusal | None = None,
) -> list[Combination]:
    """The combinations to test: the defaults first, then either every valid combination or a
    greedy pairwise cover of them. Empty when not even one combination is valid."""
    questions = config.question_list()
    found_axes = axes(questions, pinned)
    defaults = resolve(questions, pinned, {})
    valid: dict[tuple[Any, ...], Combination] = {}
    for picked in _candidates(found_axes, defaults.context if defaults else {}):
        combination = resolve(questions, pinned, picked)
        if combination is None or (refuses is not None and refuses(combination.context)):
            continue
        key = tuple(_hashable(combination.context.get(axis.name)) for axis in found_axes)
        valid.setdefault(key, combination)
    combinations = list(valid.values())
    if exhaustive or not combinations:
        return combinations
    return _pairwise(combinations, [axis.name for axis in found_axes])


def _candidates(found_axes: list[Axis], defaults: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Picks of axis values: the defaults' first, then all of them (or a fixed-seed sample and
    every single change from the defaults, when there are too many)."""
    names = [axis.name for axis in found_axes]
    base = {name: defaults[name] for name in names if name in defaults}
    yield base
    total = 1
    for axis in found_axes:
        total *= len(axis.values)
    if total <= MAX_CANDIDATES:
        for values in itertools.product(*(axis.values for axis in found_axes)):
            yield dict(zip(names, values, strict=True))
        return
    for axis in found_axes:
        for value in axis.values:
            yield {**base, axis.name: value}
    pick = random.Random(0)  # the same sample every run: a failure can be rerun
    for _ in range(MAX_CANDIDATES):
        yield {axis.name: pick.choice(axis.values) for axis in found_axes}


def _pairwise(combinations: list[Combination], names: list[str]) -> list[Combination]:
    """A greedy cover of every value pair (and so every single value) that some valid
    combination has; the first combination (the defaults) is always in."""
    pairs = list(itertools.combinations(names, 2)) or [(name, name) for name in names]

    def covered(combination: Combination) -> frozenset[tuple[Any, ...]]:
        context = combination.context
        return frozenset(
            (a, _hashable(context.get(a)), b, _hashable(context.get(b))) for a, b in pairs
        )

    covers = [covered(c) for c in combinations]
    wanted = set().union(*covers) - covers[0]
    chosen = [combinations[0]]
    while wanted:
        best = max(range(len(combinations)), key=lambda i: len(covers[i] & wanted))
        chosen.append(combinations[best])
        wanted -= covers[best]
    return chosen


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, list | dict) else value


@dataclass
class CaseResult:
    number: int
    answers: dict[str, Any]
    changed: dict[str, Any]
    result: Result = "skipped"
    seconds: float = 0.0
    reason: str = ""
    """The first failing line, or why the case was skipped."""
    command: str = ""
    """The command that failed."""
    commands: list[str] = field(default_factory=list)
    """The commands run in the case, as rendered with its answers."""
    kept: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "case": self.number,
            "answers": self.answers,
            "changed": self.changed,
            "result": self.result,
            "seconds": round(self.seconds, 2),
            "commands": self.commands,
            "command": self.command,
            "reason": self.reason,
            "kept": self.kept,
        }


@dataclass
class MatrixReport:
    source: str
    checked: str
    commands: list[str]
    cases: list[CaseResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, result: Result) -> int:
        return sum(case.result == result for case in self.cases)

    @property
    def ok(self) -> bool:
        return self.count("failed") == 0

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "checked": self.checked,
            "ok": self.ok,
            "commands": self.commands,
            "passed": self.count("passed"),
            "failed": self.count("failed"),
            "skipped": self.count("skipped"),
            "notes": self.notes,
            "cases": [case.as_json() for case in self.cases],
        }
