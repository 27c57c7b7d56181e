"""Where templates come from: built-ins, folders, git repos and URLs, registry names, plugins."""

from __future__ import annotations

from pathlib import Path

import pytest

from pystarter.builtin import builtin_templates_dir
from pystarter.config import RegisteredTemplate
from pystarter.errors import (
    MissingExtensionError,
    TemplateFetchError,
    TemplateNotFoundError,
    UnknownRefError,
    UntrustedTemplateError,
    UsageError,
)
from pystarter.sources import (
    builtin_framework_of,
    checkout,
    copier_git_location,
    latest_tag,
    looks_like_git_url,
    plain_git_url,
    resolve_source,
)
from pystarter.template_config import read_template_config
from tests.helpers import bare_clone, build_file_tree, git_save, make_template

NO_REGISTRY: dict[str, RegisteredTemplate] = {}


def resolve(source: str | None, **kwargs: object) -> object:
    kwargs.setdefault("registry", NO_REGISTRY)
    return resolve_source(source, "fastapi", **kwargs)  # type: ignore[arg-type]


def test_no_template_means_the_builtin_of_the_framework() -> None:
    source = resolve(None)
    assert source.kind == "builtin" and source.trusted and source.framework == "fastapi"
    assert Path(source.location) == builtin_templates_dir()
    assert resolve("builtin:flask").framework == "flask"


def test_vcs_ref_with_a_builtin_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="--vcs-ref"):
        resolve(None, vcs_ref="v1")


def test_plain_folder_is_untrusted_and_has_no_ref(tmp_path: Path) -> None:
    build_file_tree({"copier.yml": "name: x\n"}, tmp_path / "tpl")
    source = resolve(str(tmp_path / "tpl"))
    assert (source.kind, source.trusted, source.vcs_ref, source.git_url) == (
        "path",
        False,
        None,
        None,
    )
    assert resolve(str(tmp_path / "tpl"), trust=True).trusted


def test_unknown_source_names_every_kind_it_tried(tmp_path: Path) -> None:
    with pytest.raises(TemplateNotFoundError, match="not a folder, a git URL, a registered name"):
        resolve("no-such-template")


def test_local_git_repo_pins_the_latest_release_tag(tmp_path: Path) -> None:
    repo = make_template(tmp_path / "tpl", tag="v1.0")
    for tag in ("v2.0", "v10.0", "v11.0rc1", "not-a-version"):
        git_save(repo, tag, tag=tag)
    source = resolve(str(repo))
    assert (source.kind, source.vcs_ref, source.git_url) == ("git", "v10.0", str(repo))


def test_local_git_repo_without_tags_is_rendered_as_it_is_like_copier(tmp_path: Path) -> None:
    """copier renders an untagged local repository's work tree, uncommitted edits included."""
    repo = make_template(tmp_path / "tpl", tag=None)
    git_save(repo, "second")
    source = resolve(str(repo))
    assert source.vcs_ref is None and source.git_url is None
    with checkout(source) as root:
        assert root == repo.resolve()


def test_given_ref_must_exist(tmp_path: Path) -> None:
    repo = make_template(tmp_path / "tpl")
    assert resolve(str(repo), vcs_ref="main").vcs_ref == "main"
    with pytest.raises(UnknownRefError, match=r"no tag or branch 'v9' \(newest tags: v1\)"):
        resolve(str(repo), vcs_ref="v9")


def test_unreachable_url_is_one_clean_error() -> None:
    with pytest.raises(TemplateFetchError, match="cannot reach template") as caught:
        resolve("https://127.0.0.1:9/nothing.git")
    assert "\n" not in caught.value.one_line()


@pytest.mark.parametrize(
    ("given", "git", "copier"),
    [
        ("gh:acme/api", "https://github.com/acme/api.git", "gh:acme/api"),
        ("gl:acme/api.git", "https://gitlab.com/acme/api.git", "gl:acme/api.git"),
        ("git+https://example.com/t", "https://example.com/t", "git+https://example.com/t"),
        ("https://example.com/t", "https://example.com/t", "git+https://example.com/t"),
        ("git@example.com:acme/t.git", "git@example.com:acme/t.git", "git@example.com:acme/t.git"),
    ],
)
def test_git_url_forms(given: str, git: str, copier: str) -> None:
    assert looks_like_git_url(given)
    assert plain_git_url(given) == git
    assert copier_git_location(given) == copier


def test_file_url_of_a_bare_repo_is_a_remote(tmp_path: Path) -> None:
    url = bare_clone(make_template(tmp_path / "tpl"), tmp_path / "remote.git")
    source = resolve(url)
    assert (source.kind, source.vcs_ref) == ("git", "v1")
    with checkout(source) as root:
        assert (root / "copier.yml").is_file()


def test_checkout_reads_the_pinned_ref_and_cleans_up(tmp_path: Path) -> None:
    repo = make_template(tmp_path / "tpl")
    build_file_tree({"copier.yml": "only_in_head: 1\n"}, repo)
    git_save(repo, "unreleased")
    source = resolve(str(repo))
    with checkout(source) as root:
        assert "project_name" in read_template_config(root).questions
        clone = root
    assert not clone.exists()


def test_registered_name_uses_its_source_ref_and_trust(tmp_path: Path) -> None:
    repo = make_template(tmp_path / "tpl")
    git_save(repo, "v2", tag="v2")
    registry = {"acme": RegisteredTemplate("acme", str(repo), ref="v1", trusted=True)}
    source = resolve("acme", registry=registry)
    assert (source.source, source.kind, source.vcs_ref, source.trusted) == (
        "acme",
        "registry",
        "v1",
        True,
    )
    assert resolve("acme", registry=registry, vcs_ref="v2").vcs_ref == "v2"


def test_registered_name_wins_over_a_folder_of_that_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_file_tree({"acme/copier.yml": "x: 1\n", "real/copier.yml": "y: 1\n"}, tmp_path)
    monkeypatch.chdir(tmp_path)
    registry = {"acme": RegisteredTemplate("acme", str(tmp_path / "real"))}
    assert resolve("acme", registry=registry).location == str(tmp_path / "real")
    assert resolve("./acme", registry=registry).location == str(tmp_path / "acme")


def test_copier_yml_with_documents_and_includes_is_read_like_copier(tmp_path: Path) -> None:
    build_file_tree(
        {
            "copier.yml": """\
                _exclude: [a]
                first: 1
                ---
                !include shared/*.yml
                """,
            "shared/more.yml": "_exclude: [b]\nsecond: {type: str, default: two}\n",
        },
        tmp_path,
    )
    config = read_template_config(tmp_path)
    assert list(config.questions) == ["first", "second"]
    assert config.settings["_exclude"] == ["a", "b"]


def test_broken_copier_yml_is_a_one_line_usage_error(tmp_path: Path) -> None:
    build_file_tree({"copier.yml": "name: [unclosed\nother: 1\n"}, tmp_path)
    with pytest.raises(UsageError, match=r"cannot read .*copier.yml: .* line \d+") as caught:
        read_template_config(tmp_path)
    assert "\n" not in caught.value.one_line()


def test_required_keys_follow_defaults_and_when(tmp_path: Path) -> None:
    build_file_tree(
        {
            "copier.yml": """\
                name: {type: str}
                use_db: {type: bool, default: false}
                db_url: {type: str, when: "{{ use_db }}"}
                token: {type: str, when: false}
                port: {type: int, default: 8000}
                """
        },
        tmp_path,
    )
    config = read_template_config(tmp_path)
    assert config.required_keys({}) == ["name"]
    assert config.required_keys({"name": "x", "use_db": True}) == ["db_url"]


def test_unsafe_features_need_trust(tmp_path: Path) -> None:
    build_file_tree({"copier.yml": "_tasks: ['touch ran']\n_migrations: []\nx: 1\n"}, tmp_path)
    config = read_template_config(tmp_path)
    with pytest.raises(UntrustedTemplateError, match="uses tasks") as caught:
        config.check_trust(str(tmp_path), resolve(str(tmp_path)).trusted)
    assert "--trust" in caught.value.one_line()
    config.check_trust(str(tmp_path), resolve(str(tmp_path), trust=True).trusted)


def test_missing_jinja_extension_names_the_package(tmp_path: Path) -> None:
    build_file_tree({"copier.yml": "_jinja_extensions: [jinja2_nope.Ext]\nx: 1\n"}, tmp_path)
    with pytest.raises(MissingExtensionError, match="package 'jinja2_nope' is not installed"):
        read_template_config(tmp_path).check_extensions(str(tmp_path))


def test_builtin_projects_are_recognised_by_their_recorded_path() -> None:
    flask = {"framework": "flask"}
    assert builtin_framework_of(str(builtin_templates_dir()), flask) == "flask"
    assert builtin_framework_of("/old/venv/site-packages/pystarter/templates", flask) == "flask"
    assert builtin_framework_of("/somewhere/templates", flask) is None
    assert builtin_framework_of("gh:acme/fastapi", flask) is None


def test_projects_from_before_the_templates_became_one_are_builtin_too() -> None:
    """Their answers file names ``templates/<framework>`` and has no framework answer."""
    assert (
        builtin_framework_of("/old/venv/site-packages/pystarter/templates/django", {}) == "django"
    )
    assert builtin_framework_of(str(builtin_templates_dir() / "flask"), {}) == "flask"
    assert builtin_framework_of("/somewhere/templates/django", {}) is None


def test_latest_tag_skips_prereleases_and_non_versions() -> None:
    assert latest_tag(["v1", "v1.10", "v1.9", "2.0a1", "release"]) == "v1.10"
    assert latest_tag(["release"]) is None
