"""Team templates through the CLI: the registry, plugins, trust, required answers, check,
and remote failures that leave nothing behind. Templates are built on the fly."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from tests.helpers import (
    BASIC_TEMPLATE,
    bare_clone,
    build_file_tree,
    build_plugin_wheel,
    git,
    git_save,
    invoke,
    make_template,
    pip_install_target,
)
from tests.projects import pystarter
from tests.test_update import copier_settings_file

__all__ = ["copier_settings_file"]  # the autouse fixture: copier's settings file exists

TASK_TEMPLATE = {
    "copier.yml": """\
        _tasks:
          - "touch task-ran"
        name: {type: str, default: demo}
        """,
    "README.md.jinja": "# {{ name }}\n",
}


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ") and "Traceback" not in stderr
    return lines[0]


def release_v2(template: Path) -> None:
    build_file_tree(
        {"README.md.jinja": "# {{ project_name }}\n\n{{ greeting }} from v2\n"}, template
    )
    git_save(template, "v2", tag="v2")


# --- registry ------------------------------------------------------------------------------


def test_registered_template_is_listed_and_renders_its_latest_tag(tmp_path: Path) -> None:
    template = make_template(tmp_path / "acme-template")
    release_v2(template)
    added = invoke("templates", "add", "acme", str(template), "--trusted")
    assert added.exit_code == 0, added.stderr
    listed = invoke("templates", "list", "--json")
    entries = {e["name"]: e for e in json.loads(listed.stdout)}
    assert entries["acme"] == {
        "name": "acme",
        "kind": "registry",
        "source": str(template),
        "ref": None,
        "trusted": True,
        "error": None,
    }
    assert entries["fastapi"]["kind"] == "builtin" and entries["fastapi"]["trusted"]

    dest = tmp_path / "svc"
    result = invoke("new", str(dest), "--template", "acme", "--no-input", "--data", "greeting=hi")
    assert result.exit_code == 0, result.stderr
    assert (dest / "README.md").read_text() == "# Demo\n\nhi from v2\n"  # its own default
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert (answers["_commit"], answers["_src_path"]) == ("v2", str(template))


def test_registered_ref_pins_the_version_and_remove_forgets_it(tmp_path: Path) -> None:
    template = make_template(tmp_path / "t")
    release_v2(template)
    assert invoke("templates", "add", "acme", str(template), "--ref", "v1").exit_code == 0
    dest = tmp_path / "svc"
    assert invoke("new", str(dest), "-t", "acme", "--no-input", "--no-git").exit_code == 0
    assert "from v1" in (dest / "README.md").read_text()
    assert invoke("templates", "remove", "acme").exit_code == 0
    names = [e["name"] for e in json.loads(invoke("templates", "list", "--json").stdout)]
    assert "acme" not in names
    gone = invoke("new", str(tmp_path / "again"), "-t", "acme", "--no-input")
    assert gone.exit_code == 2 and "templates list" in one_error_line(gone.stderr)


def test_add_refuses_a_source_that_is_not_there(tmp_path: Path) -> None:
    result = invoke("templates", "add", "acme", str(tmp_path / "missing"))
    assert result.exit_code == 2
    one_error_line(result.stderr)
    assert not Path(os.environ["PYSTARTER_CONFIG"]).exists()


# --- plugins -------------------------------------------------------------------------------


def test_plugin_package_template_is_listed_and_renders(tmp_path: Path) -> None:
    site = pip_install_target(build_plugin_wheel(tmp_path), tmp_path / "site")
    env = {"PYTHONPATH": str(site)}
    listed = pystarter("templates", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    plugin = {e["name"]: e for e in json.loads(listed.stdout)}["acme-service"]
    assert plugin["kind"] == "plugin" and plugin["error"] is None
    assert Path(plugin["source"]) == site / "acme_pystarter_templates" / "service"

    dest = tmp_path / "billing"
    args = ["new", str(dest), "-t", "acme-service", "--no-input", "--json", "-d", "owner=payments"]
    created = pystarter(*args, env=env)
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["template"] == "acme-service"
    assert "Owned by payments" in (dest / "README.md").read_text()
    assert pystarter("templates", "list", "--json").stdout.count("acme-service") == 0


# --- trust ---------------------------------------------------------------------------------


def test_template_with_tasks_is_refused_without_trust(tmp_path: Path) -> None:
    template = build_file_tree(TASK_TEMPLATE, tmp_path / "tpl")
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "p"), "-t", str(template), "--no-input")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "tasks" in line and "--trust" in line
    assert list(work.iterdir()) == []
    assert not list(tmp_path.rglob("task-ran"))


def test_template_with_tasks_runs_them_with_trust(tmp_path: Path) -> None:
    template = build_file_tree(TASK_TEMPLATE, tmp_path / "tpl")
    dest = tmp_path / "p"
    result = invoke("new", str(dest), "-t", str(template), "--no-input", "--trust", "--no-git")
    assert result.exit_code == 0, result.stderr
    assert (dest / "task-ran").is_file()


def test_install_from_an_untrusted_template_is_refused_before_anything_is_written(
    tmp_path: Path, tiny_template: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    result = invoke("new", str(work / "p"), "-t", str(tiny_template), "--no-input", "--install")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "--install" in line and "build backend" in line and "--trust" in line
    assert list(work.iterdir()) == []


def test_a_trust_refusal_shows_commands_as_the_template_wrote_them(tmp_path: Path) -> None:
    spec = {
        "copier.yml": """\
            _tasks:
              - [touch, made-by-a-list]
              - {command: "echo hi", when: "{{ name }}"}
            _migrations:
              - {version: v2, command: "./migrate.sh --fast"}
            name: {type: str, default: demo}
            """,
        "README.md.jinja": "{{ name }}\n",
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    result = invoke("new", str(tmp_path / "p"), "-t", str(template), "--no-input")

    assert result.exit_code == 2
    line = " ".join(one_error_line(result.stderr).split())
    assert "task: touch made-by-a-list" in line and "task: echo hi (when {{ name }})" in line
    assert "migration (v2): ./migrate.sh --fast" in line
    assert "{'" not in line and "['" not in line


def test_a_task_that_commits_leaves_a_clean_tree_with_pystarters_keys_committed(
    tmp_path: Path,
) -> None:
    """A template whose task makes the repository and its first commit: pystarter's keys in
    the answers file are committed on top, so the next update is not refused as dirty."""
    spec = {
        "copier.yml": """\
            _tasks:
              - "git init -q"
              - "git add -A"
              - "git -c user.name=T -c user.email=t@example.com commit -qm 'from the task'"
            name: {type: str, default: demo}
            """,
        "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "README.md.jinja": "{{ name }}\n",
    }
    template = make_template(tmp_path / "tpl", spec)
    dest = tmp_path / "p"

    result = invoke("new", str(dest), "-t", str(template), "--no-input", "--trust")

    assert result.exit_code == 0, result.stderr
    assert git("status", "--porcelain", cwd=dest) == ""
    assert "_pystarter_template" in git("show", "HEAD:.copier-answers.yml", cwd=dest)
    assert "from the task" in git("log", "--format=%s", cwd=dest)


def test_trusted_registration_stands_for_trust(tmp_path: Path) -> None:
    template = build_file_tree(TASK_TEMPLATE, tmp_path / "tpl")
    assert invoke("templates", "add", "tasky", str(template), "--trusted").exit_code == 0
    dest = tmp_path / "p"
    result = invoke("new", str(dest), "-t", "tasky", "--no-input", "--no-git")
    assert result.exit_code == 0, result.stderr
    assert (dest / "task-ran").is_file()


def test_missing_jinja_extension_is_one_line_naming_the_package(tmp_path: Path) -> None:
    spec = {"copier.yml": "_jinja_extensions: [jinja2_time.TimeExtension]\nname: x\n"}
    template = build_file_tree(spec, tmp_path / "tpl")
    result = invoke("new", str(tmp_path / "p"), "-t", str(template), "--no-input", "--trust")
    assert result.exit_code == 1
    assert "'jinja2_time' is not installed" in one_error_line(result.stderr)
    assert not (tmp_path / "p").exists()


# --- required answers ----------------------------------------------------------------------


def test_questions_without_default_are_listed_at_once(tmp_path: Path) -> None:
    spec = {
        "copier.yml": "team: {type: str}\nregion: {type: str}\nsize: {type: int, default: 1}\n",
        "x.txt.jinja": "{{ team }} {{ region }}\n",
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    result = invoke("new", str(tmp_path / "p"), "-t", str(template), "--no-input")
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "team, region" in line and "--data team=VALUE --data region=VALUE" in line
    data = ["-d", "team=core", "-d", "region=eu"]
    given = invoke("new", str(tmp_path / "p"), "-t", str(template), "--no-input", "--no-git", *data)
    assert given.exit_code == 0, given.stderr
    assert (tmp_path / "p" / "x.txt").read_text() == "core eu\n"


# --- --data validated as copier validates it -------------------------------------------------

HEROKU_TEMPLATE = {
    "copier.yml": """\
        use_whitenoise: {type: bool, default: true}
        use_heroku:
          type: bool
          default: false
          validator: "{% if use_heroku and not use_whitenoise %}Heroku needs whitenoise{% endif %}"
        """,
    "x.txt.jinja": "{{ use_heroku }} {{ use_whitenoise }}\n",
}


@pytest.mark.parametrize(
    ("data", "status"),
    [(["use_heroku=true"], 0), (["use_heroku=true", "use_whitenoise=false"], 2)],
    ids=["other-default-holds", "other-answer-refuses"],
)
def test_data_is_validated_with_the_other_questions_defaults_in_new_and_check(
    tmp_path: Path, data: list[str], status: int
) -> None:
    """A validator reading an earlier question sees its default, as copier's does; check and
    new agree on every answer."""
    template = str(build_file_tree(HEROKU_TEMPLATE, tmp_path / "tpl"))
    flags = [word for item in data for word in ("-d", item)]

    made = invoke("new", str(tmp_path / "p"), "-t", template, "--no-input", "--no-git", *flags)
    checked = invoke("templates", "check", template, *flags)

    assert made.exit_code == status, made.stderr
    assert (checked.exit_code == 0) == (status == 0), checked.stderr + checked.stdout
    if status:
        assert "Heroku needs whitenoise" in one_error_line(made.stderr)
        assert "Heroku needs whitenoise" in checked.stderr
    else:
        assert (tmp_path / "p" / "x.txt").read_text() == "True True\n"


# --- templates check -----------------------------------------------------------------------


def test_check_passes_a_good_template(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    result = invoke("templates", "check", str(template), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["problems"] == [] and report["questions"] == 2
    assert sorted(report["files"]) == [".copier-answers.yml", "README.md", "app.py"]


def test_an_invalid_copier_yml_is_refused_with_2_by_new_check_and_add(tmp_path: Path) -> None:
    template = build_file_tree({"copier.yml": "name: {type: str\n", "a.txt": "a\n"}, tmp_path / "t")

    made = invoke("new", str(tmp_path / "p"), "-t", str(template), "--no-input")
    checked = invoke("templates", "check", str(template))
    added = invoke("templates", "add", "broken", str(template))

    for result in (made, checked, added):
        assert result.exit_code == 2, result.stderr
        assert "copier.yml" in one_error_line(result.stderr)
    assert not (tmp_path / "p").exists()
    assert "broken" not in invoke("templates", "list").stdout


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{{ nope.attribute }}", "'nope' is undefined"),
        ("{% if %}", "Expected an expression"),
    ],
    ids=["undefined-variable", "syntax-error"],
)
@pytest.mark.parametrize("kind", ["folder", "git"])
def test_a_template_error_names_its_file_and_line_in_new_and_check(
    tmp_path: Path, line: str, message: str, kind: str
) -> None:
    spec = {
        "copier.yml": "name: {type: str, default: demo}\n",
        "sub/broken.txt.jinja": f"one\ntwo\nthree\nfour\n{line}\n",
    }
    template = build_file_tree(spec, tmp_path / "tpl")
    source = str(template)
    if kind == "git":
        git_save(template, "v1", tag="v1")
        source = bare_clone(template, tmp_path / "remote.git")

    made = invoke("new", str(tmp_path / "p"), "-t", source, "--no-input", "--no-git")
    checked = invoke("templates", "check", source)

    for result in (made, checked):
        assert result.exit_code == 1, result.stderr
        error = one_error_line(result.stderr)
        assert f"sub/broken.txt.jinja:5: {message}" in error and line in error
    assert not (tmp_path / "p").exists()


def test_a_broken_question_is_named_by_new_and_check(tmp_path: Path) -> None:
    spec = {"copier.yml": 'name: {type: str, default: "{{ nope.attribute }}"}\n', "a.txt": "a\n"}
    template = str(build_file_tree(spec, tmp_path / "tpl"))

    made = invoke("new", str(tmp_path / "p"), "-t", template, "--no-input", "--no-git")
    checked = invoke("templates", "check", template)

    for result in (made, checked):
        assert result.exit_code == 1, result.stderr
        line = one_error_line(result.stderr)
        assert "copier.yml, question name: 'nope' is undefined" in line
    assert not (tmp_path / "p").exists()


def test_check_reports_each_problem_on_its_own_line(tmp_path: Path) -> None:
    spec = {
        "copier.yml": "team: {type: str}\nkind: {type: str, choices: [a, b], default: c}\n",
        "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
        "x.txt.jinja": "{{ team | no_such_filter }}\n",
    }
    template = str(build_file_tree(spec, tmp_path / "t"))
    result = invoke("templates", "check", template, "-d", "team=core")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # not rendered while copier.yml is wrong
    assert "'kind': default 'c' is not one of its choices" in lines[0]
    (template_dir := tmp_path / "t" / "copier.yml").write_text("team: {type: str}\n")
    rendered = invoke("templates", "check", str(template_dir.parent), "-d", "team=core")
    assert "does not render with defaults" in one_error_line(rendered.stderr)


def test_check_reports_a_question_without_default_as_required_not_as_a_problem(
    tmp_path: Path,
) -> None:
    """copier marks a required question by giving it no default; check agrees with copier."""
    spec = {
        "copier.yml": """\
            team: {type: str, validator: "{% if team|length < 3 %}too short{% endif %}"}
            tags: {type: str, multiselect: true, choices: [a, b], default: [a]}
            size: {type: str, choices: [s, m], default: "{% if team %}m{% endif %}"}
            """,
        "{{ team }}.txt.jinja": "{{ tags }} {{ size }}\n",
    }
    template = str(build_file_tree(spec, tmp_path / "t"))

    asked = invoke("templates", "check", template, "--json")
    given = invoke("templates", "check", template, "--json", "-d", "team=core")

    assert asked.exit_code == 0, asked.stderr
    assert "required: pass --data team=..." in json.loads(asked.stdout)["notes"]
    assert given.exit_code == 0, given.stderr
    assert json.loads(given.stdout)["files"] == ["core.txt"]


EXTENSION_FILE = """\
    from jinja2.ext import Extension


    class {name}(Extension):
        def __init__(self, environment):
            super().__init__(environment)
            environment.filters["{filter}"] = lambda text: {body}
    """

EXTENSIONS_TEMPLATE = {
    "copier.yml": """\
        _jinja_extensions:
          - copier_template_extensions.TemplateExtensionLoader
          - helpers/extensions.py:ShoutExtension
          - extensions.py:WhisperExtension
        _exclude: [copier.yml, helpers, extensions.py]
        _answers_file: ".answers/{{ name }}.yml"
        _tasks: ["git init -q", "git add -A", "git commit -qm init"]
        name: {type: str, default: demo}
        """,
    "helpers/extensions.py": EXTENSION_FILE.format(
        name="ShoutExtension", filter="shout", body='str(text).upper() + "!"'
    ),
    "extensions.py": EXTENSION_FILE.format(
        name="WhisperExtension", filter="whisper", body="str(text).lower()"
    ),
    ".answers/{{ name }}.yml.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "out.txt.jinja": "{{ name|shout }} {{ name|whisper }}\n",
}


def test_check_loads_extensions_from_template_files_as_copier_does(tmp_path: Path) -> None:
    """Extensions given as files (in a subfolder, or next to copier.yml), an answers file whose
    name is templated, a task making a git repository: fine, and only rendered files count."""
    template = str(build_file_tree(EXTENSIONS_TEMPLATE, tmp_path / "tpl"))

    result = invoke("templates", "check", template, "--trust", "--json")

    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["problems"] == [], report
    assert report["files"] == [".answers/demo.yml", "out.txt"]
    assert not any("answers file" in note for note in report["notes"]), report["notes"]


def test_check_without_the_required_answers_names_them_instead_of_fine(tmp_path: Path) -> None:
    spec = {"copier.yml": "team: {type: str}\nregion: {type: str}\n", "x.txt.jinja": "x\n"}
    template = str(build_file_tree(spec, tmp_path / "tpl"))

    result = invoke("templates", "check", template)
    report = json.loads(invoke("templates", "check", template, "--json").stdout)

    assert result.exit_code == 0, result.stderr
    assert "fine" not in result.stdout and "0 files" not in result.stdout
    assert "needs --data team=VALUE --data region=VALUE" in " ".join(result.stdout.split())
    assert report["required"] == ["team", "region"] and report["files"] == []


def test_check_does_not_run_tasks_of_an_untrusted_template(tmp_path: Path) -> None:
    template = build_file_tree(TASK_TEMPLATE, tmp_path / "tpl")
    result = invoke("templates", "check", str(template))
    assert result.exit_code == 0, result.stderr
    assert "uses tasks: new needs --trust" in result.stdout
    assert not list(tmp_path.rglob("task-ran"))


def test_check_reads_a_remote_at_its_latest_tag(tmp_path: Path) -> None:
    template = make_template(tmp_path / "tpl")
    build_file_tree({"copier.yml": "broken: [\n"}, template)
    git_save(template, "broken, not released")
    url = bare_clone(template, tmp_path / "remote.git")
    result = invoke("templates", "check", url, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["checked"].endswith(" at v1")


# --- remote failures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "extra"),
    [
        ("https://127.0.0.1:9/acme/template.git", []),
        ("file:///nonexistent/template.git", []),
        ("REMOTE", ["--vcs-ref", "v9"]),
    ],
    ids=["unreachable", "missing-repo", "unknown-ref"],
)
def test_remote_failure_is_one_line_and_leaves_nothing(
    tmp_path: Path, source: str, extra: list[str]
) -> None:
    if source == "REMOTE":
        source = bare_clone(make_template(tmp_path / "tpl", BASIC_TEMPLATE), tmp_path / "r.git")
    scratch, work = tmp_path / "tmpdir", tmp_path / "work"
    scratch.mkdir()
    work.mkdir()
    env = {"TMPDIR": str(scratch)}
    completed = pystarter("new", "svc", "-t", source, "--no-input", *extra, cwd=work, env=env)
    assert completed.returncode in (1, 2)
    assert completed.stdout == ""
    one_error_line(completed.stderr)
    assert list(work.iterdir()) == [] and list(scratch.iterdir()) == []


def test_remote_render_leaves_no_temporary_clone(tmp_path: Path) -> None:
    url = bare_clone(make_template(tmp_path / "tpl"), tmp_path / "remote.git")
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    dest = tmp_path / "svc"
    completed = pystarter("new", str(dest), "-t", url, "--no-input", env={"TMPDIR": str(scratch)})
    assert completed.returncode == 0, completed.stderr
    assert (dest / "README.md").is_file()
    assert list(scratch.iterdir()) == []


def test_templates_list_piped_is_one_tab_separated_line_per_template(tiny_template: Path) -> None:
    """Piped, a long path is never wrapped mid-word: scripts can ``cut -f3``."""
    name = "a-team-template-with-a-name-long-enough-to-wrap-a-table"
    assert invoke("templates", "add", name, str(tiny_template)).exit_code == 0

    lines = invoke("templates", "list").stdout.splitlines()

    assert [line.split("\t")[0] for line in lines] == ["django", "flask", "fastapi", name]
    assert all(len(line.split("\t")) == 5 for line in lines)
    assert lines[-1].split("\t")[2] == str(tiny_template)
