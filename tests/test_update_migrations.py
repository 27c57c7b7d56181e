"""As copier 9 does it: ``update --trust`` runs the template's ``_migrations`` and
``_tasks`` as copier 9.19 runs them on update -- in the project, with
``_copier_operation == "update"`` and copier's environment variables -- lists what ran,
and ``update --check`` lists what would run. Each compared with ``copier update --defaults
--trust`` on an identical copy of the project (local git templates tagged v1 -> v2)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import build_file_tree, git, git_save, invoke
from tests.test_update import copier_settings_file
from tests.test_update_cases import copier_update

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too

V1 = {
    "copier.yml": """\
        _answers_file: .copier-answers.yml
        _tasks:
          - "echo {{ _copier_operation }} >> ops.log"
        project_name: {type: str, default: Demo}
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\nfrom v1\n",
    ".gitignore": "ops.log\n",
}

V2_CONFIG = """\
    _answers_file: .copier-answers.yml
    _tasks:
      - "echo {{ _copier_operation }} >> ops.log"
      - command: "echo update-only > updated-to.txt"
        when: "{{ _copier_operation == 'update' }}"
    _migrations:
      - version: v2
        command: "echo from-$VERSION_PEP440_FROM-to-$VERSION_PEP440_TO >> migrated.txt"
      - command: "echo every-update >> every.txt"
      - version: v3
        command: "echo never > never.txt"
      - command: "echo {{ _stage }} >> stages.txt"
        when: "{{ _stage == 'before' }}"
    project_name: {type: str, default: Demo}
    """

LEGACY_CONFIG = """\
    _answers_file: .copier-answers.yml
    _migrations:
      - version: v2
        before: ["echo legacy-before >> legacy.txt"]
        after: ["echo legacy-after >> legacy.txt"]
    project_name: {type: str, default: Demo}
    """

MADE = ("migrated.txt", "every.txt", "never.txt", "stages.txt", "updated-to.txt", "legacy.txt")


def _project_from_v1_to(tmp_path: Path, v2_config: str) -> tuple[Path, Path]:
    template = build_file_tree(V1, tmp_path / "tpl")
    git_save(template, "v1", tag="v1")
    made = invoke("new", str(tmp_path / "svc"), "-t", str(template), "--no-input", "--trust")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "svc"
    build_file_tree({"copier.yml": v2_config}, template)
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")
    return template, project


def _made(project: Path) -> dict[str, str]:
    return {name: (project / name).read_text() for name in MADE if (project / name).exists()}


def test_update_runs_migrations_and_tasks_in_the_project_as_copier_does(tmp_path: Path) -> None:
    """Case 6 and 7: the migration of v2 and the one without version run (after), the
    ``when: before`` one runs before, v3's does not; the tasks run in the project with
    ``_copier_operation == "update"``, the update-only one included; the files they write
    match copier's, and ``--check`` listed the same commands beforehand."""
    _, project = _project_from_v1_to(tmp_path, V2_CONFIG)
    theirs = copier_update(project, tmp_path / "copier-copy")

    check = invoke("update", str(project), "--check", "--json")
    assert check.exit_code == 1, check.stderr
    would = json.loads(check.stdout)["would_run"]
    result = invoke("update", str(project), "--json", "--trust")

    assert result.exit_code == 0, result.stderr
    ran = json.loads(result.stdout)["ran"]
    assert ran == would
    assert ran == [
        "before: echo before >> stages.txt",
        "task: echo update >> ops.log",
        "task: echo update-only > updated-to.txt",
        "after: echo from-$VERSION_PEP440_FROM-to-$VERSION_PEP440_TO >> migrated.txt",
        "after: echo every-update >> every.txt",
    ]
    assert _made(project) == _made(theirs)
    assert _made(project) == {
        "migrated.txt": "from-1-to-2\n",
        "every.txt": "every-update\n",
        "stages.txt": "before\n",
        "updated-to.txt": "update-only\n",
    }
    assert (project / "ops.log").read_text() == (theirs / "ops.log").read_text() == "copy\nupdate\n"
    assert (project / "README.md").read_text() == "# Demo\n\nfrom v2\n"


def test_legacy_before_after_migrations_run_in_order(tmp_path: Path) -> None:
    """Case 6, copier's older ``version``/``before``/``after`` form: both stages run, in
    order, as in copier."""
    _, project = _project_from_v1_to(tmp_path, LEGACY_CONFIG)
    theirs = copier_update(project, tmp_path / "copier-copy")

    result = invoke("update", str(project), "--json", "--trust")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ran"] == [
        "before: echo legacy-before >> legacy.txt",
        "after: echo legacy-after >> legacy.txt",
    ]
    assert _made(project) == _made(theirs) == {"legacy.txt": "legacy-before\nlegacy-after\n"}


def test_a_failing_migration_puts_the_project_back(tmp_path: Path) -> None:
    """A migration that fails stops the update with one line and the project as it was."""
    config = V2_CONFIG.replace("echo every-update >> every.txt", "exit 3")
    _, project = _project_from_v1_to(tmp_path, config)
    head = git("rev-parse", "HEAD", cwd=project)

    result = invoke("update", str(project), "--json", "--trust")

    assert result.exit_code != 0
    assert "Traceback" not in result.stderr
    assert git("status", "--porcelain", cwd=project) == ""
    assert git("rev-parse", "HEAD", cwd=project) == head
    assert (project / "README.md").read_text() == "# Demo\n\nfrom v1\n"


IGNORING = {
    "copier.yml": "_answers_file: .copier-answers.yml\nproject_name: {type: str, default: Demo}\n",
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    ".gitignore.jinja": "*.local\n.secrets\n",  # the project's, not the template repo's
    "app.local": "one = 1\ntwo = 2\nthree = 3\nfour = 4\n",
    "README.md": "v1\n",
}


def test_files_the_template_ignores_are_updated_and_never_staged(tmp_path: Path) -> None:
    """Case 10: a file the template's own ``.gitignore`` ignores is updated and a new one
    created, as copier does (where the user edited it, merged with the edit: copier
    overwrites it); neither they nor a user's ignored secrets file are staged."""
    template = build_file_tree(IGNORING, tmp_path / "tpl")
    git_save(template, "v1", tag="v1")
    made = invoke("new", str(tmp_path / "svc"), "-t", str(template), "--no-input")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "svc"
    (project / "app.local").write_text("one = mine\ntwo = 2\nthree = 3\nfour = 4\n")
    (project / ".secrets").write_text("token\n")
    build_file_tree(
        {
            "app.local": "one = 1\ntwo = 2\nthree = 3\nfour = 4 in v2\n",
            "extra.local": "new\n",
            "README.md": "v2\n",
        },
        template,
    )
    git_save(template, "v2", tag="v2")
    theirs = copier_update(project, tmp_path / "copier-copy")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    for name in ("extra.local", ".secrets", "README.md"):
        assert (project / name).read_text() == (theirs / name).read_text(), name
    # copier writes the template's version over the user's edit; pystarter merges the two
    assert (theirs / "app.local").read_text() == "one = 1\ntwo = 2\nthree = 3\nfour = 4 in v2\n"
    assert (project / "app.local").read_text() == "one = mine\ntwo = 2\nthree = 3\nfour = 4 in v2\n"
    assert (project / "extra.local").read_text() == "new\n"
    tracked = git("ls-files", "--cached", cwd=project).split()
    assert not {"app.local", "extra.local", ".secrets"} & set(tracked)


def test_check_agrees_with_update_on_a_folder_template_whose_tasks_write_files(
    tmp_path: Path,
) -> None:
    """Case 11, second half: a folder template whose ``_tasks`` write a file was reported
    behind by ``update --check`` forever, while ``update`` said up to date."""
    spec = {
        "copier.yml": """\
            _answers_file: .copier-answers.yml
            _tasks: ["echo generated > generated.txt"]
            project_name: {type: str, default: Demo}
            """,
        "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "README.md": "v1\n",
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    made = invoke("new", str(tmp_path / "svc"), "-t", str(template), "--no-input", "--trust")
    assert made.exit_code == 0, made.stderr
    project = tmp_path / "svc"
    assert (project / "generated.txt").read_text() == "generated\n"

    check = invoke("update", str(project), "--check", "--json")
    update = invoke("update", str(project), "--json", "--trust")

    assert check.exit_code == 0, check.stdout + check.stderr
    assert update.exit_code == 0, update.stderr
    assert json.loads(update.stdout)["up_to_date"] is True
    (template / "README.md").write_text("v2\n")
    assert invoke("update", str(project), "--check").exit_code == 1
