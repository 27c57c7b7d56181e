"""Needs -> scores -> a recommended framework, with the guide's reasons. Pure, no I/O.

Each need carries a weight per framework (0 = no help, 3 = what the framework is built for)
and the guide's criterion behind it. A framework's score is the sum of its weights over the
needs given. Ties go to the earlier framework in ``TIE_BREAK_ORDER`` (``TIE_BREAK_RULE`` says
why), and a tie is always named as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pystarter.errors import UsageError

FRAMEWORK_TITLES = {"django": "Django", "flask": "Flask", "fastapi": "FastAPI"}
TIE_BREAK_ORDER = ("django", "fastapi", "flask")
#: The rule that decides a tie, as the recommendation states it.
TIE_BREAK_RULE = (
    "a tie goes to Django, then FastAPI, then Flask: Django has the most built in, "
    "and its tutorial is the guide's starting point"
)


@dataclass(frozen=True)
class Need:
    name: str
    meaning: str
    criterion: str
    """What the guide says, in its words: each reason quotes it."""
    weights: dict[str, int]


NEEDS: dict[str, Need] = {
    need.name: need
    for need in (
        Need(
            "admin",
            "an admin backend to manage data",
            "Django ships an automatically generated admin",
            {"django": 3, "flask": 0, "fastapi": 0},
        ),
        Need(
            "auth",
            "user accounts and login",
            "Django has authentication built in; Flask adds Flask-Login",
            {"django": 3, "flask": 1, "fastapi": 1},
        ),
        Need(
            "orm",
            "database-backed content",
            "Django's ORM is built in; Flask and FastAPI pair with SQLAlchemy",
            {"django": 2, "flask": 1, "fastapi": 1},
        ),
        Need(
            "html",
            "server-rendered pages, templates, forms",
            "Django: template engine and form handling",
            {"django": 3, "flask": 2, "fastapi": 0},
        ),
        Need(
            "rest-api",
            "a JSON/REST API",
            "Flask is common for REST APIs; FastAPI is built for APIs; Django via DRF",
            {"django": 1, "flask": 2, "fastapi": 3},
        ),
        Need(
            "async",
            "I/O-bound, many concurrent connections",
            "FastAPI: async + ASGI, faster than WSGI for I/O-bound work",
            {"django": 1, "flask": 0, "fastapi": 3},
        ),
        Need(
            "openapi",
            "typed validation and interactive API docs",
            "FastAPI: type hints give validation, serialization, OpenAPI docs",
            {"django": 0, "flask": 0, "fastapi": 3},
        ),
        Need(
            "ml",
            "serve ML models or data pipelines",
            "FastAPI is particularly popular for serving ML models and data pipelines",
            {"django": 0, "flask": 1, "fastapi": 3},
        ),
        Need(
            "microservice",
            "a small service among many",
            "FastAPI for microservices; Flask for lightweight services",
            {"django": 0, "flask": 2, "fastapi": 3},
        ),
        Need(
            "minimal",
            "simple requirements, little code",
            "Flask: only the core essentials",
            {"django": 0, "flask": 3, "fastapi": 1},
        ),
        Need(
            "control",
            "the team picks every library itself",
            "Flask leaves every other decision to the developer",
            {"django": 0, "flask": 3, "fastapi": 1},
        ),
        Need(
            "beginner",
            "new to Python web development",
            "Django's tutorial is an excellent starting point",
            {"django": 3, "flask": 1, "fastapi": 1},
        ),
    )
}


@dataclass(frozen=True)
class Recommendation:
    framework: str
    scores: dict[str, int]
    reasons: list[str]
    runner_up: str
    runner_up_when: str
    needs: tuple[str, ...]
    tied_with: tuple[str, ...] = ()
    """The other frameworks with the winner's score (empty: no tie)."""

    @property
    def tie_break(self) -> str | None:
        """The rule that decided the tie (None when there was none)."""
        return TIE_BREAK_RULE if self.tied_with else None

    @property
    def tie(self) -> str | None:
        """The tie in words: who tied, on what score, and the rule that decided it."""
        if not self.tied_with:
            return None
        names = [FRAMEWORK_TITLES[fw] for fw in (self.framework, *self.tied_with)]
        listed = f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{listed} score {self.scores[self.framework]} each; {TIE_BREAK_RULE}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "scores": dict(self.scores),
            "reasons": list(self.reasons),
            "runner_up": self.runner_up,
            "runner_up_when": self.runner_up_when,
            "needs": list(self.needs),
            "tied_with": list(self.tied_with),
            "tie_break": self.tie_break,
        }

    def as_record(self) -> dict[str, Any]:
        """What the project's answers file keeps: the needs and what they gave, not the
        runner-up sentence, which any later pystarter words afresh from the same needs."""
        return {
            "framework": self.framework,
            "needs": list(self.needs),
            "scores": dict(self.scores),
            "reasons": list(self.reasons),
        }


def check_needs(needs: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Unknown needs are a usage error; duplicates are dropped, order kept; ``a,b`` is two."""
    needs = [n.strip().lower() for need in needs for n in need.split(",") if n.strip()]
    unknown = [n for n in needs if n not in NEEDS]
    if unknown:
        raise UsageError(
            f"unknown need{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
            f"choose from {', '.join(NEEDS)}",
        )
    return tuple(dict.fromkeys(needs))


def _ranked(scores: dict[str, int]) -> list[str]:
    return sorted(TIE_BREAK_ORDER, key=lambda fw: (-scores[fw], TIE_BREAK_ORDER.index(fw)))


def recommend(needs: list[str] | tuple[str, ...]) -> Recommendation:
    needs = check_needs(needs)
    scores = {fw: sum(NEEDS[n].weights[fw] for n in needs) for fw in TIE_BREAK_ORDER}
    ranked = _ranked(scores)
    winner, runner_up = ranked[0], ranked[1]
    tied_with = tuple(fw for fw in ranked[1:] if scores[fw] == scores[winner])
    reasons = [
        f"{need.meaning} ({need.name}): {need.criterion}{_points(need)}"
        for need in (NEEDS[n] for n in needs)
        if need.weights[winner] > 0 and need.weights[winner] == max(need.weights.values())
    ]
    if not reasons:
        highest = "ties for the highest score" if tied_with else "scores highest"
        reasons = [
            f"{FRAMEWORK_TITLES[winner]} {highest} over all the needs, though no single need "
            "is its strongest"
        ]
    return Recommendation(
        framework=winner,
        scores=scores,
        reasons=reasons,
        runner_up=runner_up,
        runner_up_when=_when_better(runner_up, winner),
        needs=needs,
        tied_with=tied_with,
    )


def _points(need: Need) -> str:
    """Where the guide credits several frameworks with a need, the points that rank them:
    the reason then says why the winner, and not another, is its pick."""
    credited = sorted(
        (fw for fw in TIE_BREAK_ORDER if need.weights[fw]),
        key=lambda fw: (-need.weights[fw], TIE_BREAK_ORDER.index(fw)),
    )
    if len(credited) < 2:
        return ""
    return " (" + ", ".join(f"{FRAMEWORK_TITLES[fw]} {need.weights[fw]}" for fw in credited) + ")"


def _when_better(runner_up: str, winner: str) -> str:
    """The needs the runner-up is the guide's pick for (it outweighs the winner and no one
    outweighs it), as a sentence: FastAPI is never credited with Flask's "little code"."""
    favoured = [
        n
        for n in NEEDS.values()
        if n.weights[runner_up] > n.weights[winner]
        and n.weights[runner_up] == max(n.weights.values())
    ]
    title = FRAMEWORK_TITLES[runner_up]
    if not favoured:
        return f"{title} scores lower on every need"
    listed = "; ".join(need.meaning for need in favoured)
    return f"{title} would be the better pick if what matters most is: {listed}"
