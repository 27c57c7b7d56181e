"""``pystarter templates test``: a covering set of a template's valid answer combinations, each
rendered by copier into its own folder and checked with the template's own commands."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import MATRIX_TEMPLATE, REPO, build_file_tree, invoke

#: The matrix template with one broken combination: green and loud fails its test command.
BROKEN_TEMPLATE = {
    **MATRIX_TEMPLATE,
    "check.py.jinja": MATRIX_TEMPLATE["check.py.jinja"]
    + "{% if color == 'green' and loud %}raise SystemExit('green cannot be loud'){% endif %}\n",
}


#: The home folder before the isolation fixture points HOME at a temporary one.
REAL_HOME = Path(os.path.expanduser("~"))


@pytest.fixture
def matrix_template(tmp_path: Path) -> Path:
    return build_file_tree(MATRIX_TEMPLATE, tmp_path / "matrix-template")


@pytest.fixture
def broken_template(tmp_path: Path) -> Path:
    return build_file_tree(BROKEN_TEMPLATE, tmp_path / "broken-template")


@pytest.fixture(autouse=True)
def _own_temp_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each case's folder is made under here, so a test sees what is left behind."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = invoke("templates", "test", *args, "--json", catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def tried(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_template_whose_every_case_passes_exits_0_and_lists_the_cases(
    matrix_template: Path,
) -> None:
    result = invoke("templates", "test", str(matrix_template), catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert "(defaults)" in result.output
    assert "color=green" in result.output and "loud=true" in result.output
    assert " failed" not in result.output.replace("0 failed", "")
    assert "cases of" in result.output


def test_json_has_every_case_with_its_answers_result_and_time(matrix_template: Path) -> None:
    status, report = run_json(str(matrix_template))

    assert status == 0
    assert report["ok"] is True
    assert report["commands"] == ["python3 check.py"]
    assert report["passed"] == len(report["cases"]) and report["failed"] == 0
    first = report["cases"][0]
    assert set(first) == {
        "case", "answers", "changed", "result", "seconds", "commands", "command", "reason",
        "kept",
    }  # fmt: skip
    assert first["changed"] == {} and first["result"] == "passed"
    assert first["commands"] == ["python3 check.py"]
    assert [case["case"] for case in report["cases"]] == list(range(1, len(report["cases"]) + 1))


def test_pairwise_covers_every_value_and_never_tries_what_when_or_a_validator_rules_out(
    matrix_template: Path, tmp_path: Path
) -> None:
    log = tmp_path / "tried.jsonl"

    status, report = run_json(str(matrix_template), "--env", f"MATRIX_LOG={log}", "-j", "2")

    assert status == 0
    renders = tried(log)
    assert len(renders) == len(report["cases"])
    # a validator refuses blue and loud; shape is not asked for blue (its default stands)
    assert not [r for r in renders if r["color"] == "blue" and r["loud"]]
    assert not [r for r in renders if r["color"] == "blue" and r["shape"] != "circle"]
    for key, values in (("color", {"red", "green", "blue"}), ("loud", {True, False})):
        assert {r[key] for r in renders} == values
    assert {r["shape"] for r in renders} == {"circle", "square"}
    pairs = {(r["color"], r["loud"], r["shape"]) for r in renders}
    assert len(pairs) == len(renders) < 9  # pairwise: fewer than all 9 valid combinations


def test_all_tries_every_valid_combination_once(matrix_template: Path, tmp_path: Path) -> None:
    log = tmp_path / "tried.jsonl"

    status, report = run_json(str(matrix_template), "--all", "--env", f"MATRIX_LOG={log}")

    assert status == 0
    combinations = {(r["color"], r["loud"], r["shape"]) for r in tried(log)}
    assert len(combinations) == len(report["cases"]) == 9  # 2 x 2 x 2 + blue alone


def test_env_values_are_rendered_with_each_case_s_answers(
    matrix_template: Path, tmp_path: Path
) -> None:
    log = tmp_path / "tried.jsonl"

    run_json(str(matrix_template), "--env", f"MATRIX_LOG={log}", "--env", "CASE={{ color }}")

    assert all(r["case"] == r["color"] for r in tried(log))


def test_one_broken_combination_fails_the_run_naming_the_case(broken_template: Path) -> None:
    status, report = run_json(str(broken_template), "--all")

    assert status == 1
    failed = [case for case in report["cases"] if case["result"] == "failed"]
    assert len(failed) == 2  # green and loud, with either shape
    for case in failed:
        assert case["answers"]["color"] == "green" and case["answers"]["loud"] is True
        assert case["command"] == "python3 check.py"
        assert case["reason"] == "green cannot be loud"
    assert report["passed"] == 7


def test_the_table_names_the_failing_case_and_its_first_failing_line(
    broken_template: Path,
) -> None:
    result = invoke("templates", "test", str(broken_template), catch_exceptions=False)

    assert result.exit_code == 1
    failing = [line for line in result.stdout.splitlines() if "failed" in line and "loud" in line]
    assert failing and "color=green" in failing[0] and "green cannot be loud" in failing[0]


def test_in_a_ci_log_each_case_is_one_line_of_the_table(
    broken_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Piped without COLUMNS (a CI log), the table is not folded at rich's 80 columns."""
    monkeypatch.delenv("COLUMNS")
    result = invoke("templates", "test", str(broken_template), catch_exceptions=False)

    failing = [line for line in result.stdout.splitlines() if "green cannot be loud" in line]
    assert failing and all("color=green" in line and "failed" in line for line in failing)


def test_keep_keeps_only_the_failing_renders_and_the_rest_is_removed(
    broken_template: Path, tmp_path: Path, _own_temp_folder: Path
) -> None:
    keep = tmp_path / "kept"

    status, report = run_json(str(broken_template), "--all", "--keep", str(keep))

    assert status == 1
    kept = sorted(p.name for p in keep.iterdir())
    failed = [case for case in report["cases"] if case["result"] == "failed"]
    assert kept == sorted(f"case-{case['case']:02d}" for case in failed)
    for case in failed:
        folder = Path(case["kept"])
        assert "SystemExit('green cannot be loud')" in (folder / "project" / "check.py").read_text()
        assert "green cannot be loud" in (folder / "output.log").read_text()
    assert list(_own_temp_folder.iterdir()) == []


def test_temporary_renders_are_removed_after_a_run(
    matrix_template: Path, _own_temp_folder: Path
) -> None:
    status, _ = run_json(str(matrix_template))

    assert status == 0
    assert list(_own_temp_folder.iterdir()) == []


def test_data_pins_an_answer_in_every_case(matrix_template: Path, tmp_path: Path) -> None:
    log = tmp_path / "tried.jsonl"

    status, report = run_json(
        str(matrix_template), "-d", "color=green", "--all", "--env", f"MATRIX_LOG={log}"
    )

    assert status == 0
    assert {r["color"] for r in tried(log)} == {"green"}
    assert len(report["cases"]) == 4  # loud x shape
    assert all(case["answers"]["color"] == "green" for case in report["cases"])


@pytest.mark.parametrize(
    ("item", "says"),
    [
        ("color=purple", "color cannot be"),
        ("colour=red", "did you mean color?"),
        ("x", "KEY=VALUE"),
    ],
)
def test_a_bad_data_answer_is_refused_before_any_case_runs(
    matrix_template: Path, tmp_path: Path, item: str, says: str
) -> None:
    log = tmp_path / "tried.jsonl"

    result = invoke(
        "templates", "test", str(matrix_template), "-d", item, "--env", f"MATRIX_LOG={log}"
    )

    assert result.exit_code == 2
    assert says in result.stderr
    assert not log.exists()


def test_an_unknown_source_is_refused(tmp_path: Path) -> None:
    result = invoke("templates", "test", str(tmp_path / "nowhere"))

    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("args", "says"),
    [(("-j", "0"), "-j 0"), (("--timeout", "0"), "--timeout"), (("--env", "X"), "KEY=VALUE")],
)
def test_bad_run_options_are_refused(
    matrix_template: Path, args: tuple[str, ...], says: str
) -> None:
    result = invoke("templates", "test", str(matrix_template), *args)

    assert result.exit_code == 2
    assert says in result.stderr


def test_a_template_without_a_test_command_needs_run(tmp_path: Path) -> None:
    template = build_file_tree(
        {"copier.yml": "color: {type: str, choices: [a, b], default: a}\n", "x.txt": "x\n"},
        tmp_path / "t",
    )

    refused = invoke("templates", "test", str(template))
    with_run = invoke("templates", "test", str(template), "--run", "test -f x.txt", "--json")

    assert refused.exit_code == 2 and "--run" in refused.stderr
    assert with_run.exit_code == 0, with_run.output
    assert json.loads(with_run.stdout)["commands"] == ["test -f x.txt"]


def test_a_case_over_its_timeout_fails_and_its_command_is_stopped(
    matrix_template: Path,
) -> None:
    status, report = run_json(
        str(matrix_template), "-d", "color=blue", "--run", "sleep 30", "--timeout", "1"
    )

    assert status == 1
    assert [case["reason"] for case in report["cases"]] == ["timed out after 1 seconds"]


def test_a_case_needing_a_python_this_machine_lacks_is_skipped_not_passed(tmp_path: Path) -> None:
    template = build_file_tree(
        {
            "copier.yml": """\
                _pystarter: {commands: {test: "true"}}
                python: {type: str, choices: ["3.11", "2.1"], default: "3.11"}
                """,
            ".python-version.jinja": "{{ python }}\n",
        },
        tmp_path / "t",
    )
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    (template / "copier.yml").write_text(
        (template / "copier.yml").read_text().replace("3.11", running)
    )

    status, report = run_json(str(template))

    assert status == 0
    results = {case["answers"]["python"]: case for case in report["cases"]}
    assert results[running]["result"] == "passed"
    assert results["2.1"]["result"] == "skipped"
    assert results["2.1"]["reason"] == "needs Python 2.1, which is not installed here"
    assert report["skipped"] == 1


@pytest.mark.slow
def test_the_built_in_template_passes_its_own_matrix(tmp_path: Path) -> None:
    """What pystarter's CI proves on itself: every pairwise case of the built-in template
    installs and passes its own tests, each on a database of its own."""
    from tests.projects import BIN, pystarter

    pyenv = REAL_HOME / ".pyenv" / "versions"  # the isolation fixture moves HOME
    extra_pythons = [str(p / "bin") for p in sorted(pyenv.glob("3.1[2-9].*"))]
    database = (
        "{% if database == 'postgresql' %}postgresql://postgres@127.0.0.1:5432/matrix"
        "{% elif database == 'mysql' %}mysql://root@127.0.0.1:3306/matrix{% endif %}"
    )
    completed = pystarter(
        "templates", "test", str(REPO / "templates"), "-j", "2", "--json",
        "--env", f"DATABASE_URL={database}",
        "--env", "REDIS_URL=redis://127.0.0.1:6379/{{ 1 + _index % 15 }}",
        "--env", "UV_PYTHON_DOWNLOADS=never",
        "--keep", str(tmp_path / "failed"),
        env={"PATH": os.pathsep.join([str(BIN), *extra_pythons, os.environ["PATH"]])},  # uv
        timeout=1800,
    )  # fmt: skip

    report = json.loads(completed.stdout)
    failed = [c for c in report["cases"] if c["result"] == "failed"]
    assert completed.returncode == 0 and not failed, json.dumps(failed, indent=1)
    # a case is skipped only for a Python this machine lacks (3.14 here; 3.12 and 3.13 too on a
    # machine with none but its own), and each framework passes at least once
    skipped = [c["reason"] for c in report["cases"] if c["result"] == "skipped"]
    assert all(reason.endswith("which is not installed here") for reason in skipped), skipped
    passed = {c["answers"]["framework"] for c in report["cases"] if c["result"] == "passed"}
    assert passed == {"django", "flask", "fastapi"}, report


def test_ctrl_c_stops_the_cases_and_removes_their_folders(
    matrix_template: Path, tmp_path: Path
) -> None:
    import signal
    import subprocess
    import time

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    marker = tmp_path / "started"
    process = subprocess.Popen(
        [sys.executable, "-m", "pystarter", "templates", "test", str(matrix_template), "-j", "2",
         "--run", f"touch {marker} && sleep 600"],
        env={**os.environ, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), "no case started"

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)  # not the 600 s the command would take

    assert process.returncode == 130, stderr
    assert list(scratch.iterdir()) == []
    left = subprocess.run(["pgrep", "-f", f"touch {marker}"], capture_output=True, text=True)
    assert left.stdout == ""


def test_tasks_run_in_each_case_only_with_trust(tmp_path: Path) -> None:
    template = build_file_tree(
        {
            "copier.yml": """\
                _tasks: ["touch made-by-task"]
                color: {type: str, choices: [a, b], default: a}
                """,
            "x.txt": "x\n",
        },
        tmp_path / "t",
    )

    untrusted = invoke("templates", "test", str(template), "--run", "test ! -e made-by-task")
    trusted = invoke("templates", "test", str(template), "--trust", "--run", "test -e made-by-task")

    assert untrusted.exit_code == 0, untrusted.output
    assert "tasks did not run: pass --trust" in untrusted.stdout
    assert trusted.exit_code == 0, trusted.output


def test_keep_refuses_a_folder_that_is_not_empty(matrix_template: Path, tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    keep.mkdir()
    (keep / "mine.txt").write_text("mine\n")

    result = invoke("templates", "test", str(matrix_template), "--keep", str(keep))

    assert result.exit_code == 2
    assert (keep / "mine.txt").read_text() == "mine\n"


def test_a_git_template_is_tested_at_its_latest_tag_or_at_vcs_ref(tmp_path: Path) -> None:
    from tests.helpers import git_save, make_template

    template = make_template(tmp_path / "git-template", MATRIX_TEMPLATE, tag="v1")
    build_file_tree({"check.py.jinja": BROKEN_TEMPLATE["check.py.jinja"]}, template)
    git_save(template, "v2 breaks green and loud", tag="v2")

    latest_status, latest = run_json(str(template))
    v1_status, v1 = run_json(str(template), "--vcs-ref", "v1")

    assert latest_status == 1 and latest["checked"].endswith("at v2")
    assert v1_status == 0 and v1["checked"].endswith("at v1")
