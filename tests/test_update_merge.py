"""``update`` never loses a change: the cases copier's own update dropped silently (a file the
user edited that the template deletes, a file the user deleted that the template edits, a
binary both changed) are conflicts listed by path and kind, exit 1, for git and built-in
templates alike; and the other project shapes: custom answers file, a question whose type
changed, a registered pin, a monorepo subfolder, ``_skip_if_exists``, ``update --check``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pystarter import sources
from tests.helpers import bare_clone, build_file_tree, git, git_save, invoke, make_template
from tests.test_update import commit_all, copier_settings_file, render, state

__all__ = ["copier_settings_file"]  # the autouse fixture, used here too

BINARY_V1 = b"\x89PNG\r\n\x1a\n\x00\x00v1"
TEMPLATE = {
    "copier.yml": """\
        _answers_file: .copier-answers.yml
        project_name: {type: str, default: Demo}
        """,
    "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n\nfrom v1\n",
    "goes-away.txt": "the template drops me in v2\n",
    "template-edits.txt": "line one\nline two\n",
}


def lossy_release(template: Path) -> None:
    """v2: deletes goes-away.txt, edits template-edits.txt, changes logo.png."""
    (template / "goes-away.txt").unlink()
    (template / "template-edits.txt").write_text("line one\nline two, better\n")
    (template / "logo.png").write_bytes(BINARY_V1.replace(b"v1", b"v2"))


def user_changes(project: Path) -> None:
    (project / "goes-away.txt").write_text("the user's own notes\n")
    (project / "template-edits.txt").unlink()
    (project / "logo.png").write_bytes(BINARY_V1.replace(b"v1", b"ours"))
    commit_all(project, "user changes")


EXPECTED = {
    "goes-away.txt": "theirs-deleted",
    "logo.png": "binary",
    "template-edits.txt": "ours-deleted",
}


def assert_nothing_lost(project: Path, outcome: dict) -> None:
    kinds = {c["path"]: c["kind"] for c in outcome["conflicts"]}
    assert kinds == EXPECTED
    assert (project / "goes-away.txt").read_text() == "the user's own notes\n"
    assert (project / "template-edits.txt").read_text() == "line one\nline two, better\n"
    assert (project / "logo.png").read_bytes() == BINARY_V1.replace(b"v1", b"ours")


def test_git_template_update_lists_deleted_edited_and_binary_conflicts(tmp_path: Path) -> None:
    template = build_file_tree(TEMPLATE, tmp_path / "tpl")
    (template / "logo.png").write_bytes(BINARY_V1)
    git_save(template, "v1", tag="v1")
    project = render(str(template), tmp_path / "svc")
    user_changes(project)
    lossy_release(template)
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 1, result.stderr
    assert_nothing_lost(project, json.loads(result.stdout))
    human = invoke("update", str(tmp_path / "svc"))  # a merge is now in progress
    assert human.exit_code == 2 and "nothing was changed" in human.stderr


def test_builtin_update_lists_the_same_three_conflicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builtins = tmp_path / "pystarter" / "templates"
    shutil.copytree(sources.builtin_templates_dir(), builtins)
    monkeypatch.setattr(sources, "builtin_templates_dir", lambda: builtins)
    fw = builtins / "fastapi"
    build_file_tree(
        {"goes-away.txt": "the template drops me\n", "template-edits.txt": "one\ntwo\n"}, fw
    )
    (fw / "logo.png").write_bytes(BINARY_V1)
    project = tmp_path / "api"
    assert invoke("new", str(project), "-f", "fastapi", "--no-input").exit_code == 0
    user_changes(project)
    (fw / "goes-away.txt").unlink()
    (fw / "template-edits.txt").write_text("line one\nline two, better\n")
    (fw / "logo.png").write_bytes(BINARY_V1.replace(b"v1", b"v2"))

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 1, result.stderr
    assert_nothing_lost(project, json.loads(result.stdout))
    human = invoke("update", str(project))
    assert human.exit_code == 2


def test_human_output_names_versions_and_counts_in_words(tmp_path: Path) -> None:
    template = build_file_tree(TEMPLATE, tmp_path / "tpl")
    (template / "logo.png").write_bytes(BINARY_V1)
    git_save(template, "v1", tag="v1")
    project = render(str(template), tmp_path / "svc")
    user_changes(project)
    lossy_release(template)
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project))

    assert result.exit_code == 1
    assert "(tpl v1 → v2): 4 files changed" in result.stdout
    assert "3 conflicts to resolve:" in result.stdout
    assert "goes-away.txt  (changed by you, deleted by the template" in result.stdout
    git("merge", "--abort", cwd=project)
    assert git("status", "--porcelain", cwd=project) == ""


def test_clean_update_exits_0_and_check_says_when_a_tag_is_newer(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE)
    project = render(str(template), tmp_path / "svc")
    current = invoke("update", str(project), "--check", "--json")
    assert current.exit_code == 0, current.stderr
    assert json.loads(current.stdout)["up_to_date"] is True
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")
    before = state(project)

    behind = invoke("update", str(project), "--check")
    assert behind.exit_code == 1
    assert "tpl v1 → v2 is available" in behind.stdout
    checked = invoke("update", str(project), "--check", "--json")
    assert json.loads(checked.stdout)["newest"] == "v2"
    assert state(project) == before

    updated = invoke("update", str(project))
    assert updated.exit_code == 0, updated.stderr
    commit_all(project, "update to v2")
    assert invoke("update", str(project), "--check").exit_code == 0


def test_custom_answers_file_name_is_found_and_kept(tmp_path: Path) -> None:
    spec = {
        **TEMPLATE,
        "copier.yml": TEMPLATE["copier.yml"].replace(
            ".copier-answers.yml", ".copier-answers.autopretty.yml"
        ),
    }
    template = make_template(tmp_path / "tpl", spec)
    project = render(str(template), tmp_path / "svc")
    assert (project / ".copier-answers.autopretty.yml").is_file()
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    answers = yaml.safe_load((project / ".copier-answers.autopretty.yml").read_text())
    assert answers["_commit"] == "v2" and not (project / ".copier-answers.yml").exists()
    (project / ".copier-answers.yml").write_text("_src_path: x\n")
    commit_all(project, "two answers files")
    ambiguous = invoke("update", str(project))
    assert ambiguous.exit_code == 2 and "--answers-file" in ambiguous.stderr
    named = invoke(
        "update", str(project), "--answers-file", ".copier-answers.autopretty.yml", "--json"
    )
    assert named.exit_code == 0, named.stderr
    assert json.loads(named.stdout)["up_to_date"] is True


def test_answer_whose_type_changed_is_dropped_with_a_note(tmp_path: Path) -> None:
    spec = {
        **TEMPLATE,
        "copier.yml": TEMPLATE["copier.yml"] + "fancy: {type: bool, default: true}\n",
        "style.txt.jinja": "{{ fancy }}\n",
    }
    template = make_template(tmp_path / "tpl", spec)
    project = render(str(template), tmp_path / "svc")
    (template / "copier.yml").write_text(
        TEMPLATE["copier.yml"].replace("        ", "")
        + "fancy: {type: str, choices: [plain, bold], default: bold}\n"
    )
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert any("fancy=True no longer fits" in note for note in outcome["notes"])
    assert (project / "style.txt").read_text() == "bold\n"


def test_registered_pin_is_honoured(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE)
    remote = bare_clone(template, tmp_path / "remote.git")
    assert invoke("templates", "add", "acme", remote, "--ref", "v1").exit_code == 0
    project = render("acme", tmp_path / "svc")
    for tag in ("v2", "v3"):
        (template / "README.md.jinja").write_text(f"# {{{{ project_name }}}}\n\nfrom {tag}\n")
        git_save(template, tag, tag=tag)
    git("push", "-q", remote, "main", "v2", "v3", cwd=template)

    pinned = invoke("update", str(project), "--check", "--json")
    assert pinned.exit_code == 0, pinned.stderr
    assert json.loads(pinned.stdout)["pinned"] == "v1"
    assert invoke("templates", "add", "acme", remote, "--ref", "v2", "--force").exit_code == 0
    behind = invoke("update", str(project), "--check")
    assert behind.exit_code == 1 and "acme v1 → v2 is available (pinned to v2)" in behind.stdout
    result = invoke("update", str(project), "--json")
    assert result.exit_code == 0, result.stderr
    assert (json.loads(result.stdout)["from"], json.loads(result.stdout)["to"]) == ("v1", "v2")
    assert "from v2" in (project / "README.md").read_text()


def test_project_in_a_monorepo_subfolder_is_updated_in_place(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl", TEMPLATE)
    mono = tmp_path / "mono"
    build_file_tree({"other/keep.txt": "not the template's\n", "README.md": "# mono\n"}, mono)
    git_save(mono, "monorepo")
    project = render(str(template), mono / "services" / "svc")
    commit_all(mono, "add svc")
    (project / "README.md").write_text("# Demo (ours)\n\nfrom v1\n")
    commit_all(mono, "edit svc")
    (template / "README.md.jinja").write_text("# {{ project_name }}\n\nfrom v2\n")
    (template / "goes-away.txt").unlink()
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert sorted(outcome["changed"]) == [".copier-answers.yml", "README.md", "goes-away.txt"]
    assert (project / "README.md").read_text() == "# Demo (ours)\n\nfrom v2\n"
    assert (mono / "other" / "keep.txt").read_text() == "not the template's\n"
    assert (mono / "README.md").read_text() == "# mono\n"
    status = git("status", "--porcelain", cwd=mono)
    assert all(line[3:].startswith("services/svc/") for line in status.splitlines())


def test_skip_if_exists_files_are_left_alone(tmp_path: Path) -> None:
    spec = {
        **TEMPLATE,
        "copier.yml": TEMPLATE["copier.yml"] + "_skip_if_exists: [settings.ini]\n",
        "settings.ini": "token = template-default\n",
    }
    template = make_template(tmp_path / "tpl", spec)
    project = render(str(template), tmp_path / "svc")
    (project / "settings.ini").write_text("token = real\n")
    commit_all(project, "real settings")
    (template / "settings.ini").write_text("token = template-default\nnew = 1\n")
    git_save(template, "v2", tag="v2")

    result = invoke("update", str(project), "--json")

    assert result.exit_code == 0, result.stderr
    assert "settings.ini" not in json.loads(result.stdout)["changed"]
    assert (project / "settings.ini").read_text() == "token = real\n"
