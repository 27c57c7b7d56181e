"""``pystarter add FEATURE`` / ``remove FEATURE``: the template at the project's own version,
rendered with the old and the new answers, merged like ``update``: the user's changes kept,
option rules checked, a dirty tree refused; the result passes its own tests (slow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import git, invoke, make_template
from tests.projects import check_project, render_project
from tests.test_update import commit_all, copier_settings_file, render, state

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too


#: The generated project's test that sends a task through Redis to a worker.
CELERY_TEST = {
    "fastapi": "test_task_runs_on_a_worker_through_redis",
    "django": "test_a_worker_runs_count_users_through_redis",
}


def builtin(tmp_path: Path, framework: str, *flags: str) -> Path:
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-f", framework, "--no-input", *flags)
    assert made.exit_code == 0, made.stderr
    return project


def team_edit(project: Path) -> None:
    """A user commit touching README.md, which the celery feature changes too."""
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Owners\n\nOwned by the platform team.\n")
    commit_all(project, "team notes")


def test_add_celery_keeps_the_users_change_and_adds_the_worker(tmp_path: Path) -> None:
    project = builtin(tmp_path, "fastapi")
    team_edit(project)

    result = invoke("add", "celery", "--path", str(project))

    assert result.exit_code == 0, result.stderr
    assert "added use_celery=True" in result.stdout
    assert "worker.py" in "".join(p.name for p in project.rglob("worker.py"))
    readme = (project / "README.md").read_text()
    assert "Owned by the platform team." in readme and "celery -A" in readme
    assert "uv run celery -A svc.worker:celery_app worker" in result.stdout
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["use_celery"] is True and answers["_pystarter_template"] == "builtin:fastapi"
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    again = invoke("add", "celery", "--path", str(project))
    assert again.exit_code == 0 and "nothing changed" in again.stdout


def test_remove_docker_removes_unchanged_files_and_keeps_an_edited_one(tmp_path: Path) -> None:
    project = builtin(tmp_path, "flask", "--docker")
    with (project / "Dockerfile").open("a") as stream:
        stream.write("# our own layer\n")
    commit_all(project, "our Dockerfile")

    result = invoke("remove", "docker", "--path", str(project), "--json")

    assert result.exit_code == 1, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["conflicts"] == [{"path": "Dockerfile", "kind": "theirs-deleted"}]
    assert not (project / "compose.yaml").exists() and not (project / ".dockerignore").exists()
    assert (project / "Dockerfile").read_text().endswith("# our own layer\n")


def test_option_rules_and_a_dirty_tree_are_refused_touching_nothing(tmp_path: Path) -> None:
    project = builtin(tmp_path, "flask", "--database", "none")
    before = state(project)
    clash = invoke("add", "auth", "--path", str(project))
    assert clash.exit_code == 2 and "user accounts need a database" in clash.stderr
    no_value = invoke("add", "ci", "--path", str(project))
    assert no_value.exit_code == 2 and "pystarter add ci github" in no_value.stderr
    assert invoke("add", "bogus", "--path", str(project)).exit_code == 2
    assert state(project) == before
    (project / "notes.txt").write_text("wip\n")
    dirty = invoke("add", "ci", "gitlab", "--path", str(project))
    assert dirty.exit_code == 2 and "uncommitted changes" in dirty.stderr
    (project / "notes.txt").unlink()
    gitlab = invoke("add", "ci", "gitlab", "--path", str(project), "--json")
    assert gitlab.exit_code == 0, gitlab.stderr
    changed = json.loads(gitlab.stdout)["changed"]
    assert ".gitlab-ci.yml" in changed and ".github/workflows/ci.yml" in changed


def test_custom_template_add_takes_its_own_answers(tmp_path: Path) -> None:
    spec = {
        "copier.yml": """\
            _answers_file: .copier-answers.yml
            project_name: {type: str, default: Demo}
            with_docs: {type: bool, default: false}
            """,
        "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "README.md.jinja": "# {{ project_name }}\n",
        "{% if with_docs %}docs.md{% endif %}.jinja": "docs of {{ project_name }}\n",
    }
    template = make_template(tmp_path / "tpl", spec)
    make_template(tmp_path / "tpl", {"README.md.jinja": "# {{ project_name }} v2\n"}, tag="v2")
    project = render(str(template), tmp_path / "svc", "--vcs-ref", "v1")
    refused = invoke("add", "celery", "--path", str(project))
    assert refused.exit_code == 2 and "--data KEY=VALUE" in refused.stderr

    result = invoke("add", "--data", "with_docs=true", "--path", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert (outcome["from"], outcome["to"]) == ("v1", "v1")  # the project's own version
    assert (project / "docs.md").read_text() == "docs of Demo\n"  # the template's default name
    assert (project / "README.md").read_text() == "# Demo\n"


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["fastapi", "django"])
def test_added_celery_passes_the_projects_own_tests(tmp_path: Path, framework: str) -> None:
    made = render_project(framework, tmp_path, git=True)
    team_edit(made.path)
    added = invoke("add", "celery", "--path", str(made.path))
    assert added.exit_code == 0, added.stderr
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=made.path)
    assert "Owned by the platform team." in (made.path / "README.md").read_text()
    made.answers["use_celery"] = True
    check_project(made, [CELERY_TEST[framework]])  # every test passes, none skipped
