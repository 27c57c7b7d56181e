"""The layout of the built-in templates: one questionnaire, shared partials, no drifting copies.

templates/copier.yml asks `framework` first and renders templates/<framework>/ (its
`_subdirectory`); files there include the partials in templates/_shared/. These tests keep it so:
no two sizeable text files under templates/ are near-copies, every framework renders with plain
copier, and no bytecode from the template folder reaches a project.
"""

import difflib
import itertools
import shutil
import tomllib
from pathlib import Path

import copier
import pytest
import yaml
from packaging.requirements import Requirement

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FRAMEWORKS = ("django", "flask", "fastapi")
MIN_LINES = 20
MAX_RATIO = 0.8
DATA = {
    "project_name": "Layout Check",
    "project_slug": "layout-check",
    "package_name": "layout_check",
    "secret_key": "x" * 60,
}


def _text_files() -> dict[str, list[str]]:
    files = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        if len(lines) >= MIN_LINES:
            files[path.relative_to(TEMPLATES).as_posix()] = lines
    return files


def alike_pairs(threshold: float = 0.5) -> list[tuple[float, str, str]]:
    """Pairs of text files of MIN_LINES or more lines whose line-wise ratio reaches threshold."""
    pairs = []
    for (name_a, a), (name_b, b) in itertools.combinations(_text_files().items(), 2):
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue
        ratio = matcher.ratio()
        if ratio >= threshold:
            pairs.append((ratio, name_a, name_b))
    return sorted(pairs, reverse=True)


def test_layout() -> None:
    assert (TEMPLATES / "copier.yml").is_file()
    assert (TEMPLATES / "_shared").is_dir()
    for fw in FRAMEWORKS:
        assert (TEMPLATES / fw).is_dir()
        assert not (TEMPLATES / fw / "copier.yml").exists()
        assert not (TEMPLATES / fw / "project").exists()


def test_no_two_template_files_are_near_copies() -> None:
    too_alike = [p for p in alike_pairs() if p[0] >= MAX_RATIO]
    assert not too_alike, "share these in templates/_shared/: " + "; ".join(
        f"{a} ~ {b} ({ratio:.2f})" for ratio, a, b in too_alike
    )


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_framework_renders_with_plain_copier(tmp_path: Path, framework: str) -> None:
    dst = tmp_path / framework
    copier.run_copy(
        str(TEMPLATES),
        dst,
        data={"framework": framework, **DATA},
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    assert (dst / "pyproject.toml").is_file()
    assert (dst / "layout_check" / "__main__.py").is_file()
    # A secret in .env exactly where the code reads one: FastAPI signs nothing without accounts
    # (use_auth is off by default there).
    code = "".join(p.read_text() for p in (dst / "layout_check").rglob("*.py")).lower()
    reads_a_secret = "secret_key" in code
    assert reads_a_secret == (framework != "fastapi")
    assert (dst / ".env").read_text().count("x" * 60) == (1 if reads_a_secret else 0)
    answers = (dst / ".copier-answers.yml").read_text()
    assert f"framework: {framework}\n" in answers
    assert "secret_key" not in answers
    # No partial is rendered on its own, nothing unrendered is left.
    assert not (dst / "_shared").exists()
    for path in dst.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "_shared/" not in text, path
            assert "{% include" not in text, path


def test_bytecode_in_the_template_folder_never_reaches_a_project(tmp_path: Path) -> None:
    src = tmp_path / "templates"
    shutil.copytree(TEMPLATES, src)
    planted = []
    for folder in (src, src / "fastapi", src / "fastapi" / "{{ package_name }}", src / "_shared"):
        cache = folder / "__pycache__"
        cache.mkdir(exist_ok=True)
        (cache / "x.cpython-311.pyc").write_bytes(b"\x00bytecode")
        planted.append(cache)
    (src / "fastapi" / "stray.pyc").write_bytes(b"\x00bytecode")
    dst = tmp_path / "out"
    copier.run_copy(
        str(src), dst, data={"framework": "fastapi", **DATA}, defaults=True, unsafe=True, quiet=True
    )
    assert (dst / "layout_check" / "main.py").is_file()
    leaked = [p for p in dst.rglob("*") if p.name == "__pycache__" or p.suffix in (".pyc", ".pyo")]
    assert not leaked


@pytest.mark.parametrize("ci", ["github", "gitlab"])
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_pre_commit_runs_the_ruff_of_the_dev_group_and_dependabot_comes_with_github(
    tmp_path: Path, framework: str, ci: str
) -> None:
    dst = tmp_path / framework
    data = {"framework": framework, **DATA, "ci": ci}
    copier.run_copy(str(TEMPLATES), dst, data=data, defaults=True, unsafe=True, quiet=True)

    hooks = yaml.safe_load((dst / ".pre-commit-config.yaml").read_text())
    (rev,) = [r["rev"] for r in hooks["repos"] if r["repo"].endswith("/astral-sh/ruff-pre-commit")]
    dev = tomllib.loads((dst / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    (ruff,) = [r for r in map(Requirement, dev) if r.name == "ruff"]
    assert ruff.specifier.contains(rev.removeprefix("v")), (rev, str(ruff))
    assert (dst / ".github" / "dependabot.yml").is_file() == (ci == "github")
