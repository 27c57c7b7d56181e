"""Each way an update could lose a file, rebuilt with local templates: ``update`` never
deletes a file ``_skip_if_exists`` matches, never deletes what a new version excludes, never
overwrites a git-ignored file, and where cheap the result is compared with
``copier update --defaults --trust`` run on an identical copy of the project."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import warnings
from pathlib import Path

import pytest

from tests.helpers import bare_clone, build_file_tree, git, git_save, invoke, make_template
from tests.test_update import commit_all, copier_settings_file, render

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too

TEMPLATE = {
    "copier.yml": """\
        _answers_file: .copier-answers.yml
        _skip_if_exists: [settings.ini, .editorconfig]
        project_name: {type: str, default: Demo}
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\nfrom v1\n",
    "settings.ini": "token = template-default\n",
    ".editorconfig": "root = true\n",
    "docs/a.md": "a\n",
    "docs/b.md": "b\n",
}


def copier_update(project: Path, copy: Path) -> Path:
    """``copier update --defaults --trust`` on a copy of ``project``; the copy."""
    from copier import run_update

    shutil.copytree(project, copy, symlinks=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_update(copy, defaults=True, overwrite=True, unsafe=True, quiet=True)
    return copy


def staged_deletions(project: Path) -> list[str]:
    status = git("status", "--porcelain", cwd=project).splitlines()
    return sorted(line[3:] for line in status if "D" in line[:2])


def update_json(project: Path, *extra: str) -> tuple[int, dict]:
    result = invoke("update", str(project), "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


def test_folder_template_update_never_deletes_skip_if_exists_files(tmp_path: Path) -> None:
    """Case 1, folder template: every update deleted the untouched ``_skip_if_exists`` files
    (staged D) and called an edited one 'deleted by the template'."""
    template = build_file_tree(TEMPLATE, tmp_path / "tpl")
    project = render(str(template), tmp_path / "svc")
    (project / "settings.ini").write_text("token = real\n")
    commit_all(project, "real settings")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")

    status, outcome = update_json(project)

    assert status == 0, outcome
    assert outcome["conflicts"] == []
    assert staged_deletions(project) == []
    assert (project / "settings.ini").read_text() == "token = real\n"
    assert (project / ".editorconfig").read_text() == "root = true\n"
    assert (project / "README.md").read_text() == "# Demo\n\nfrom v2\n"


def test_skip_if_exists_list_changing_between_versions(tmp_path: Path) -> None:
    """Case 1, git template: a file v2 adds to the list is not deleted, one v2 drops from it
    is no false add/add conflict; compared with copier update on a copy."""
    spec = {**TEMPLATE, "copier.yml": TEMPLATE["copier.yml"].replace(", .editorconfig", "")}
    template = make_template(tmp_path / "tpl", spec)
    project = render(str(template), tmp_path / "svc")
    (project / "settings.ini").write_text("token = real\n")
    commit_all(project, "real settings")
    copier_yml = (template / "copier.yml").read_text()
    (template / "copier.yml").write_text(copier_yml.replace("[settings.ini]", "[.editorconfig]"))
    (template / ".editorconfig").write_text("root = true\nindent = 4\n")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")
    theirs = copier_update(project, tmp_path / "copier-copy")

    status, outcome = update_json(project)

    assert status == 0, outcome
    assert outcome["conflicts"] == []
    assert staged_deletions(project) == []
    for name in ("settings.ini", ".editorconfig", "README.md"):
        assert (project / name).read_text() == (theirs / name).read_text(), name
    assert (project / "settings.ini").read_text() == "token = real\n"


def test_a_newly_excluded_path_is_never_deleted(tmp_path: Path) -> None:
    """Case 2: copier renders the old version with the new version's excludes too."""
    template = make_template(tmp_path / "tpl", TEMPLATE)
    project = render(str(template), tmp_path / "svc")
    (project / "docs" / "a.md").write_text("a, ours\n")
    commit_all(project, "our docs")
    copier_yml = (template / "copier.yml").read_text()
    (template / "copier.yml").write_text(copier_yml + "_exclude: [docs, copier.yml, .git]\n")
    git_save(template, "v2", tag="v2")
    theirs = copier_update(project, tmp_path / "copier-copy")

    status, outcome = update_json(project)

    assert status == 0, outcome
    assert outcome["conflicts"] == []
    assert staged_deletions(project) == [] == staged_deletions(theirs)
    assert (project / "docs" / "a.md").read_text() == "a, ours\n"
    assert (project / "docs" / "b.md").read_text() == "b\n"


@pytest.mark.parametrize("ignored", [True, False], ids=["ignored", "untracked"])
def test_a_local_file_at_a_path_the_new_version_adds_is_refused(
    tmp_path: Path, ignored: bool
) -> None:
    """Case 9: a git-ignored file (a user's secrets) where v2 adds a file: refused by name,
    exit 2, nothing changed (git would have overwritten it, and merge --abort deleted it)."""
    template = make_template(tmp_path / "tpl", TEMPLATE)
    project = render(str(template), tmp_path / "svc")
    if ignored:
        (project / ".gitignore").write_text("secrets.txt\n")
        commit_all(project, "ignore secrets")
    (project / "secrets.txt").write_text("password = hunter2\n")
    build_file_tree({"secrets.txt": "password = changeme\n"}, template)
    git_save(template, "v2", tag="v2")
    head = git("rev-parse", "HEAD", cwd=project)

    result = invoke("update", str(project))

    assert result.exit_code == 2, result.stderr
    assert "secrets.txt" in result.stderr
    assert (project / "secrets.txt").read_text() == "password = hunter2\n"
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", "--ignored", cwd=project).strip() in (
        "!! secrets.txt",
        "?? secrets.txt",
    )


def builtin_project_recorded_as(tmp_path: Path, version: str) -> Path:
    """A fastapi project whose first commit (its last render) says ``_pystarter_version``
    ``version``, as one made by another pystarter would."""
    project = tmp_path / "svc"
    made = invoke("new", str(project), "-f", "fastapi", "--no-input")
    assert made.exit_code == 0, made.stderr
    answers = project / ".copier-answers.yml"
    text = answers.read_text()
    assert "_pystarter_version:" in text
    lines = [
        f"_pystarter_version: {version}" if line.startswith("_pystarter_version:") else line
        for line in text.splitlines()
    ]
    answers.write_text("\n".join(lines) + "\n")
    git("add", "-A", cwd=project)
    git("commit", "-q", "--amend", "--no-edit", "--no-gpg-sign", cwd=project)
    return project


def test_add_on_a_project_of_another_pystarter_version_is_refused(tmp_path: Path) -> None:
    """Case 4: add rendered today's template and recorded it as the project's last render,
    so the changes the template gained since never arrived."""
    project = builtin_project_recorded_as(tmp_path, "0.0.1")
    head = git("rev-parse", "HEAD", cwd=project)

    result = invoke("add", "docker", "--path", str(project))

    assert result.exit_code == 2, result.stdout
    assert "pystarter update" in result.stderr and "0.0.1" in result.stderr
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""


def test_an_update_that_changes_pyproject_says_to_lock_again(tmp_path: Path) -> None:
    """uv.lock must follow pyproject.toml: the project's CI and Dockerfile install with
    ``uv sync --locked``, which refuses a stale lock."""
    project = builtin_project_recorded_as(tmp_path, "0.0.1")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "# a line of the older template\n")
    (project / "uv.lock").touch()
    git("add", "-A", cwd=project)
    git("commit", "-q", "--amend", "--no-edit", "--no-gpg-sign", cwd=project)

    status, result = update_json(project)

    assert status == 0, result
    assert "pyproject.toml" in result["changed"]
    assert "uv lock && git add uv.lock" in result["next_steps"]


def test_update_records_the_version_it_rendered_so_check_agrees(tmp_path: Path) -> None:
    """Case 11: the recorded ``_pystarter_version`` was kept, so ``update --check`` said
    'behind' forever after ``update``."""
    project = builtin_project_recorded_as(tmp_path, "0.0.1")
    assert invoke("update", str(project), "--check").exit_code == 1

    result = invoke("update", str(project))

    assert result.exit_code == 0, result.stderr
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    check = invoke("update", str(project), "--check")
    assert check.exit_code == 0, check.stdout
    assert "nothing changed" in invoke("update", str(project)).stdout
    assert invoke("add", "docker", "--path", str(project)).exit_code == 0


def test_add_on_a_folder_template_changed_since_the_last_render_is_refused(
    tmp_path: Path,
) -> None:
    """Case 4, folder template: its changes since the last render would have been taken in
    as the project's own version."""
    spec = {**TEMPLATE, "{% if with_docs %}guide.md{% endif %}.jinja": "guide\n"}
    spec["copier.yml"] += "with_docs: {type: bool, default: false}\n"
    template = build_file_tree(spec, tmp_path / "tpl")
    project = render(str(template), tmp_path / "svc")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    head = git("rev-parse", "HEAD", cwd=project)

    refused = invoke("add", "--data", "with_docs=true", "--path", str(project))

    assert refused.exit_code == 2, refused.stdout
    assert "pystarter update" in refused.stderr
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""
    assert invoke("update", str(project)).exit_code == 0
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    added = invoke("add", "--data", "with_docs=true", "--path", str(project))
    assert added.exit_code == 0, added.stderr
    assert (project / "guide.md").read_text() == "guide\n"
    assert (project / "README.md").read_text() == "# Demo\n\nfrom v2\n"


def test_add_on_a_project_made_from_an_untagged_commit(tmp_path: Path) -> None:
    """Case 12: ``_commit: v1-1-g…`` was refused ('no tag or branch'); copier's
    ``--vcs-ref :current:`` renders that commit."""
    spec = {**TEMPLATE, "{% if with_docs %}guide.md{% endif %}.jinja": "guide\n"}
    spec["copier.yml"] += "with_docs: {type: bool, default: false}\n"
    template = make_template(tmp_path / "tpl", spec)
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nafter v1\n")
    git_save(template, "after v1")
    project = render(str(template), tmp_path / "svc", "--vcs-ref", "HEAD")
    recorded = (project / ".copier-answers.yml").read_text()
    assert "_commit: v1-1-g" in recorded

    result = invoke("add", "--data", "with_docs=true", "--path", str(project))

    assert result.exit_code == 0, result.stderr
    assert (project / "guide.md").read_text() == "guide\n"
    assert (project / "README.md").read_text() == "# Demo\n\nafter v1\n"
    assert "_commit: v1-1-g" in (project / ".copier-answers.yml").read_text()


def test_a_project_ahead_of_the_newest_tag_is_up_to_date_and_never_downgraded(
    tmp_path: Path,
) -> None:
    """Case 5: a project rendered from a commit after the latest tag (``v1-1-g…``) was
    reported behind and moved back to v1; copier: 'Downgrades are not supported'."""
    template = make_template(tmp_path / "tpl", TEMPLATE)
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nafter v1\n")
    git_save(template, "after v1")
    project = render(str(template), tmp_path / "svc", "--vcs-ref", "HEAD")
    assert "_commit: v1-1-g" in (project / ".copier-answers.yml").read_text()
    head = git("rev-parse", "HEAD", cwd=project)

    check = invoke("update", str(project), "--check", "--json")
    assert check.exit_code == 0, check.stdout
    assert json.loads(check.stdout)["status"] == "up-to-date"
    back = invoke("update", str(project), "--vcs-ref", "v1")

    assert back.exit_code == 2, back.stdout
    assert "downgrade" in back.stderr
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert git("status", "--porcelain", cwd=project) == ""
    assert (project / "README.md").read_text() == "# Demo\n\nafter v1\n"


def test_exit_status_says_newer_version_from_cannot_tell(tmp_path: Path) -> None:
    """Case 8: ``update --check`` exit 1 for 'a newer version exists', 2 for 'the template
    cannot be reached'; ``update`` exit 2 when it cannot fetch, nothing changed."""
    template = make_template(tmp_path / "tpl", TEMPLATE)
    remote = bare_clone(template, tmp_path / "remote.git")
    project = render(remote, tmp_path / "svc")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")
    git("push", "-q", "--tags", str(tmp_path / "remote.git"), "main", cwd=template)

    newer = invoke("update", str(project), "--check", "--json")
    assert newer.exit_code == 1, newer.stdout
    assert json.loads(newer.stdout)["status"] == "newer-available"

    shutil.rmtree(tmp_path / "remote.git")  # the host is gone
    cannot = invoke("update", str(project), "--check", "--json")
    assert cannot.exit_code == 2, cannot.stdout
    assert "cannot reach" in cannot.stderr and len(cannot.stderr.splitlines()) == 1
    failed = invoke("update", str(project))
    assert failed.exit_code == 2, failed.stdout
    assert "cannot reach" in failed.stderr
    assert git("status", "--porcelain", cwd=project) == ""


def test_base_after_merging_two_branches_that_each_ran_add(tmp_path: Path) -> None:
    """Case 13: the base was the newest render by date, so a file the other branch's add
    brought in (and the user edited; the template never changed it) was 'added by both'."""
    spec = {
        **TEMPLATE,
        "copier.yml": TEMPLATE["copier.yml"]
        + "docker: {type: bool, default: false}\n"  # the spec ends indented: no indent here
        + "        celery: {type: bool, default: false}\n",
        "{% if docker %}Dockerfile{% endif %}.jinja": "FROM python\n",
        "{% if celery %}worker.py{% endif %}.jinja": "WORKER = 1\n",
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    project = render(str(template), tmp_path / "svc")
    trunk = git("rev-parse", "--abbrev-ref", "HEAD", cwd=project).strip()
    git("checkout", "-q", "-b", "with-docker", cwd=project)
    assert invoke("add", "--data", "docker=true", "--path", str(project)).exit_code == 0
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    (project / "Dockerfile").write_text("FROM python\nRUN echo ours\n")
    commit_all(project, "our Dockerfile")
    git("checkout", "-q", trunk, cwd=project)
    assert invoke("add", "--data", "celery=true", "--path", str(project)).exit_code == 0
    git("commit", "-q", "--no-gpg-sign", "--no-edit", cwd=project)
    (project / "worker.py").write_text("WORKER = 2  # ours\n")
    commit_all(project, "our worker")
    answers = (project / ".copier-answers.yml").read_text()
    merged = git_merge(project, "with-docker")
    if not merged:  # both branches changed adjacent answers: resolve as a person would
        (project / ".copier-answers.yml").write_text(
            answers.replace("docker: false", "docker: true")
        )
        commit_all(project, "Merge branch 'with-docker'")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")

    status, outcome = update_json(project)

    assert status == 0, outcome
    assert outcome["conflicts"] == []
    assert outcome["changed"] == ["README.md"]
    assert (project / "Dockerfile").read_text() == "FROM python\nRUN echo ours\n"
    assert (project / "worker.py").read_text() == "WORKER = 2  # ours\n"


def git_merge(project: Path, branch: str) -> bool:
    import subprocess

    from tests.helpers import GIT_ENV

    done = subprocess.run(
        ["git", "merge", "-q", "--no-edit", "--no-gpg-sign", branch],
        cwd=project, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.returncode == 0


def test_migrations_of_every_form_run_in_the_project(tmp_path: Path) -> None:
    """Case 6: the ``_migrations`` copier would run between v1 and v2 run in the project
    (copier's forms: command with and without version, the older before/after), the others
    do not; the same files as copier update on a copy."""
    template = make_template(tmp_path / "tpl", TEMPLATE)
    project = render(str(template), tmp_path / "svc")
    migrations = """\
        _migrations:
          - {version: v2, command: "touch crossed"}
          - {version: v9, command: "touch not-crossed"}
          - {command: "touch every-update"}
          - {version: v2, before: ["touch legacy-before"], after: ["touch legacy-after"]}
          - {version: v1, after: ["touch legacy-old"]}
        """
    copier_yml = (template / "copier.yml").read_text()
    (template / "copier.yml").write_text(copier_yml + textwrap.dedent(migrations))
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")

    theirs = copier_update(project, tmp_path / "copier-copy")

    status, outcome = update_json(project, "--trust")

    assert status == 0, outcome
    assert outcome["ran"] == [
        "before: touch legacy-before",
        "after: touch crossed",
        "after: touch every-update",
        "after: touch legacy-after",
    ]
    made = ("crossed", "not-crossed", "every-update", "legacy-before", "legacy-after", "legacy-old")
    assert [n for n in made if (project / n).exists()] == [n for n in made if (theirs / n).exists()]
    assert not (project / "not-crossed").exists() and not (project / "legacy-old").exists()
