"""``pystarter update``: copier's three-way update for git templates, a git merge from the
pristine first render for built-in and folder templates, and refusals that touch nothing."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from pystarter import sources
from pystarter.update import update_project
from tests.helpers import bare_clone, build_file_tree, git, git_save, invoke, make_template

TEMPLATE_V1 = {
    "copier.yml": """\
        _answers_file: .copier-answers.yml
        project_name: {type: str, default: Demo}
        greeting: {type: str, default: hello}
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\nintro\n\nmiddle\n\n{{ greeting }} from v1\n",
}


@pytest.fixture(autouse=True)
def copier_settings_file() -> None:
    """copier warns when its settings file is missing, and the suite turns warnings into
    errors; render.copy does not silence copier's notices (check_copy does). An empty
    settings file keeps these tests about update, not about that warning."""
    Path(os.environ["COPIER_SETTINGS_PATH"]).write_text("{}\n")


def render(source: str, dest: Path, *extra: str) -> Path:
    result = invoke("new", str(dest), "-t", source, "--no-input", *extra)
    assert result.exit_code == 0, result.stderr
    return dest


def commit_all(project: Path, message: str) -> None:
    git("add", "-A", cwd=project)
    git("commit", "-q", "--no-gpg-sign", "-m", message, cwd=project)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def release_v2(template: Path, **extra_files: str) -> None:
    edit(template / "README.md.jinja", "from v1", "from v2")
    build_file_tree({"NEW.txt": "added in v2\n", **extra_files}, template)
    git_save(template, "v2", tag="v2")


def state(project: Path) -> tuple[str, str, dict[str, bytes]]:
    files = {
        str(p.relative_to(project)): p.read_bytes()
        for p in sorted(project.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(project).parts
    }
    head = git("rev-parse", "HEAD", cwd=project)
    return head, git("status", "--porcelain", cwd=project), files


def test_update_brings_v2_keeps_user_edits_and_refuses_a_dirty_tree(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc", "--data", "greeting=hi")
    edit(project / "README.md", "intro", "intro, edited by the team")
    commit_all(project, "our intro")
    release_v2(template)

    (project / "scratch.txt").write_text("not committed\n")
    before = state(project)
    refused = invoke("update", str(project))
    assert refused.exit_code == 2
    assert "uncommitted changes" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert state(project) == before

    (project / "scratch.txt").unlink()
    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert (outcome["action"], outcome["from"], outcome["to"]) == ("update", "v1", "v2")
    assert outcome["conflicts"] == []
    assert {"README.md", "NEW.txt"} <= set(outcome["changed"])
    readme = (project / "README.md").read_text()
    assert "intro, edited by the team" in readme and "hi from v2" in readme
    assert (project / "NEW.txt").read_text() == "added in v2\n"
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["_commit"] == "v2"


def test_conflicts_are_left_as_markers_and_listed(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    edit(project / "README.md", "hello from v1", "hello from us")
    commit_all(project, "ours")
    release_v2(template)
    result = invoke("update", str(project))
    assert result.exit_code == 1, result.stderr
    assert "1 conflict to resolve:\n  README.md  (both edited)" in result.stdout
    readme = (project / "README.md").read_text()
    assert "<<<<<<< yours" in readme and "hello from us" in readme
    assert ">>>>>>> tpl v2" in readme
    assert "hello from v2" in readme


def test_paths_outside_ascii_are_listed_as_they_are(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", {**TEMPLATE_V1, "über file.txt": "a\nb\n"})
    project = render(str(template), tmp_path / "svc")
    (project / "über file.txt").write_text("a\nB-user\n")
    commit_all(project, "ours")
    (template / "über file.txt").write_text("a\nB-template\n")
    release_v2(template)

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 1, result.stderr
    assert json.loads(result.stdout)["conflicts"] == [{"path": "über file.txt", "kind": "both"}]
    git("merge", "--abort", cwd=project)
    git("clean", "-fdq", cwd=project)
    (project / "über file.txt").write_text("dirty\n")
    refused = invoke("update", str(project))
    assert refused.exit_code == 2
    assert "(1: über file.txt)" in refused.stderr


def test_a_new_version_that_does_not_render_is_one_line_and_undone(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    before = state(project)
    release_v2(template, **{"broken.txt.jinja": "{{ broken"})

    result = invoke("update", str(project))

    assert result.exit_code == 1
    assert result.stderr.startswith("error: template ") and "did not render" in result.stderr
    assert "please report" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert state(project) == before


def test_update_from_a_remote_url_and_pystarter_keys_survive(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    remote = tmp_path / "remote.git"
    url = bare_clone(template, remote)
    project = render(url, tmp_path / "svc")
    with (project / ".copier-answers.yml").open("a") as stream:
        stream.write("_pystarter_recommendation:\n  framework: fastapi\n")
    commit_all(project, "recommendation recorded")
    release_v2(template)
    git("push", "-q", str(remote), "main", "v2", cwd=template)

    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["to"] == "v2"
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v2" and answers["_src_path"] == url
    assert answers["_pystarter_recommendation"] == {"framework": "fastapi"}
    assert "hello from v2" in (project / "README.md").read_text()


def test_up_to_date_project_is_left_alone(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    before = state(project)
    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["up_to_date"] is True
    assert state(project) == before


def test_new_version_with_tasks_needs_trust(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    edit(template / "copier.yml", "_answers_file", "_tasks: ['touch task-ran']\n_answers_file")
    release_v2(template)
    before = state(project)
    refused = invoke("update", str(project))
    assert refused.exit_code == 2
    assert "--trust" in refused.stderr and len(refused.stderr.splitlines()) == 1
    assert state(project) == before
    trusted = invoke("update", str(project), "--trust")
    assert trusted.exit_code == 0, trusted.stderr
    assert (project / "task-ran").is_file()


def test_new_question_without_default_is_asked_for_by_name(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE_V1)
    project = render(str(template), tmp_path / "svc")
    edit(template / "copier.yml", "greeting:", "owner: {type: str}\ngreeting:")
    release_v2(template)
    missing = invoke("update", str(project))
    assert missing.exit_code == 2 and "--data owner=VALUE" in missing.stderr
    given = invoke("update", str(project), "--data", "owner=core")
    assert given.exit_code == 0, given.stderr
    assert yaml.safe_load((project / ".copier-answers.yml").read_text())["owner"] == "core"


@pytest.mark.parametrize("setup", ["no-answers-file", "no-git"])
def test_projects_that_cannot_be_updated_get_one_line(tmp_path: Path, setup: str) -> None:
    project = tmp_path / "p"
    project.mkdir()
    if setup == "no-git":
        (project / ".copier-answers.yml").write_text(f"_src_path: {tmp_path}\n")
    result = invoke("update", str(project))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert ("no .copier-answers.yml" if setup == "no-answers-file" else "not in a git") in (
        result.stderr
    )


# --- unversioned templates: merged from the pristine first render --------------------------


def test_folder_template_update_merges_from_the_first_commit(tmp_path: Path) -> None:
    template = build_file_tree(TEMPLATE_V1, tmp_path / "tpl")
    project = render(str(template), tmp_path / "svc")
    edit(project / "README.md", "intro", "our intro")
    commit_all(project, "ours")
    edit(template / "README.md.jinja", "from v1", "from v2")
    build_file_tree({"NEW.txt": "new\n"}, template)

    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["action"] == "update" and outcome["conflicts"] == []
    assert sorted(outcome["changed"]) == ["NEW.txt", "README.md"]
    readme = (project / "README.md").read_text()
    assert "our intro" in readme and "hello from v2" in readme
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    again = invoke("update", str(project), "--json")
    assert json.loads(again.stdout)["up_to_date"] is True


def test_builtin_template_update_merges_a_newer_builtin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A newer pystarter is simulated by a copy of the built-ins that then changes."""
    builtins = tmp_path / "pystarter" / "templates"
    shutil.copytree(sources.builtin_templates_dir(), builtins)
    monkeypatch.setattr(sources, "builtin_templates_dir", lambda: builtins)
    project = tmp_path / "api"
    created = invoke("new", str(project), "--need", "async", "--no-input")
    assert created.exit_code == 0, created.stderr
    answers_before = (project / ".copier-answers.yml").read_text()
    assert "_pystarter_recommendation" in answers_before
    assert update_project(project).up_to_date

    readme = project / "README.md"
    readme.write_text("Team notes on top.\n\n" + readme.read_text())
    commit_all(project, "team notes")
    build_file_tree({"CHANGELOG.md": "# Changes\n"}, builtins / "fastapi")
    result = update_project(project)
    assert (result.conflicts, result.changed) == ({}, ["CHANGELOG.md"])
    assert readme.read_text().startswith("Team notes on top.")
    assert (project / ".copier-answers.yml").read_text() == answers_before
    assert git("rev-parse", "-q", "--verify", "MERGE_HEAD", cwd=project).strip()
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    assert update_project(project).up_to_date


def test_no_git_project_is_updated_after_git_init_and_a_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Known problem 7: the hint names the one way that works, and it works: the base is the
    recorded version rendered again, recorded by the commit after the update."""
    builtins = tmp_path / "pystarter" / "templates"
    shutil.copytree(sources.builtin_templates_dir(), builtins)
    monkeypatch.setattr(sources, "builtin_templates_dir", lambda: builtins)
    project = tmp_path / "api"
    assert invoke("new", str(project), "-f", "fastapi", "--no-input", "--no-git").exit_code == 0
    refused = invoke("update", str(project))
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "git init && git add -A && git commit" in refused.stderr

    git("init", "-q", cwd=project)
    commit_all(project, "imported")
    (project / "README.md").write_text("ours\n" + (project / "README.md").read_text())
    commit_all(project, "our readme")
    first = invoke("update", str(project), "--json")
    assert first.exit_code == 0, first.stderr
    assert json.loads(first.stdout)["changed"] == []
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)

    build_file_tree({"CHANGELOG.md": "# Changes\n"}, builtins / "fastapi")
    second = update_project(project)
    assert (second.changed, second.conflicts) == (["CHANGELOG.md"], {})
    assert (project / "README.md").read_text().startswith("ours\n")


def test_json_stdout_holds_only_json_when_template_tasks_print(tmp_path: Path) -> None:
    from tests.projects import pystarter

    chatty = {
        **TEMPLATE_V1,
        "copier.yml": TEMPLATE_V1["copier.yml"] + '_tasks: ["echo from-task"]\n',
    }
    template = make_template(tmp_path / "tpl", chatty)
    made = pystarter(
        "new", str(tmp_path / "svc"), "-t", str(template), "--vcs-ref", "v1", "--trust",
        "--no-input", "--json",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["destination"] == str(tmp_path / "svc")
    assert "from-task" in made.stderr
    release_v2(template)

    updated = pystarter("update", str(tmp_path / "svc"), "--trust", "--json")

    assert updated.returncode == 0, updated.stderr
    assert json.loads(updated.stdout)["conflicts"] == []
    assert "from-task" in updated.stderr
