"""`generator build` with nothing changed loads no record and writes nothing; any change generates again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator import cli, manifest
from generator.build import SiteBuild
from generator.pipeline import load_dossier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import synth  # noqa: E402


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    synth.write_dossier(80, tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def loads(monkeypatch) -> list:
    """Each call of load_dossier from the command line."""
    calls: list = []

    def counting(*args, **kwargs):
        calls.append(args)
        return load_dossier(*args, **kwargs)

    monkeypatch.setattr(cli, "load_dossier", counting)
    return calls


def _build(capsys, *extra: str) -> tuple[int, str]:
    status = cli.main(["build", "--content", "content", "--out", "md", *extra])
    return status, capsys.readouterr().out


def _stamps(out: Path) -> dict:
    return {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}


def test_second_build_with_nothing_changed_loads_nothing_and_writes_nothing(project, loads, capsys):
    status, first = _build(capsys)
    assert status == 0 and " 0 unchanged" in first and len(loads) == 1
    stamps = _stamps(project / "md")
    status, second = _build(capsys)
    assert status == 0 and len(loads) == 1, "the second build must not load the records"
    assert "0 written" in second and "nothing changed since the last build" in second
    assert _stamps(project / "md") == stamps
    expected = SiteBuild(load_dossier(project / "content").dossier).render_all()
    assert {
        p.relative_to(project / "md").as_posix()
        for p in (project / "md").rglob("*")
        if p.is_file() and p.name != ".dossier-generated"
    } == set(expected)


def test_changed_record_generates_again_and_its_page_shows_the_change(project, loads, capsys):
    _build(capsys)
    record = project / "content" / "entities" / "entity-10.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("name: '", "name: 'Renamed ", 1), encoding="utf-8")
    status, output = _build(capsys)
    assert status == 0 and len(loads) == 2 and "nothing changed" not in output
    assert "# Renamed " in (project / "md" / "entities" / "entity-10.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("tamper", ["edit", "delete", "stray"])
def test_output_changed_by_hand_is_generated_again(project, loads, capsys, tamper):
    _build(capsys)
    page = project / "md" / "entities" / "entity-10.md"
    original = page.read_text(encoding="utf-8")
    stray = project / "md" / "entities" / "stray.md"
    if tamper == "edit":
        page.write_text(original + "edited by hand\n", encoding="utf-8")
    elif tamper == "delete":
        page.unlink()
    else:
        stray.write_text("# not generated\n", encoding="utf-8")
    status, output = _build(capsys)
    assert status == 0 and len(loads) == 2 and "nothing changed" not in output
    assert page.read_text(encoding="utf-8") == original and not stray.exists()


def test_template_override_change_generates_again(project, loads, capsys):
    overrides = project / "templates"
    overrides.mkdir()
    _build(capsys, "--templates", "templates")
    (overrides / "source.md.j2").write_text("# {{ source.title | md }}\n\nOverridden.\n", encoding="utf-8")
    status, _ = _build(capsys, "--templates", "templates")
    assert status == 0 and len(loads) == 2
    assert (project / "md" / "sources" / "source-1.md").read_text(encoding="utf-8").endswith("Overridden.\n")


def test_no_cache_always_generates(project, loads, capsys):
    _build(capsys)
    _build(capsys, "--no-cache")
    assert len(loads) == 2


def test_a_failed_build_keeps_the_output_and_the_next_good_build_is_checked_again(project, loads, capsys):
    _build(capsys)
    stamps = _stamps(project / "md")
    record = project / "content" / "entities" / "entity-10.yaml"
    good = record.read_text(encoding="utf-8")
    record.write_text(good + "name: twice\n", encoding="utf-8")
    status, _ = _build(capsys)
    assert status == 1 and _stamps(project / "md") == stamps
    record.write_text(good, encoding="utf-8")
    status, output = _build(capsys)
    assert status == 0 and "nothing changed since the last build" in output


def test_digest_follows_engine_and_content(project, monkeypatch):
    content = project / "content"
    before = manifest.inputs_digest(content)
    assert manifest.inputs_digest(content) == before
    (content / "pages").mkdir(exist_ok=True)
    (content / "pages" / "about.md").write_text("---\ntitle: About\n---\nText.\n", encoding="utf-8")
    assert manifest.inputs_digest(content) != before
    changed_content = manifest.inputs_digest(content)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert manifest.inputs_digest(content) != changed_content
    monkeypatch.setattr(manifest, "_PACKAGE_DIR", project / "content")  # stands for another engine version
    assert manifest.inputs_digest(content) not in (before, changed_content)


def test_building_from_another_folder_generates_again(project, loads, capsys, monkeypatch):
    """Pages name their record files as seen from the working directory."""
    _build(capsys)
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")
    status = cli.main(["build", "--content", "../content", "--out", "../md"])
    output = capsys.readouterr().out
    assert status == 0 and len(loads) == 2 and "nothing changed" not in output
    assert 'file: "../content/entities/entity-10.yaml"' in (project / "md" / "entities" / "entity-10.md").read_text(
        encoding="utf-8"
    )


def test_a_failed_render_leaves_no_forked_child(project, monkeypatch, threads_of_earlier_tests_ignored):
    import os

    import jinja2

    from generator import build
    from generator.write import write_tree

    monkeypatch.setattr(build, "EXPORTS_IN_CHILD_MIN_RECORDS", 1)  # the data files in a forked child
    overrides = project / "templates"
    overrides.mkdir()
    (overrides / "source.md.j2").write_text("{{ source.no_such_field }}\n", encoding="utf-8")
    renderer = SiteBuild(load_dossier(project / "content").dossier, overrides)
    renderer.start_outputs()
    child = renderer.data_files._pid
    assert child is not None
    with pytest.raises(jinja2.TemplateError):
        write_tree(renderer.iter_pages(), project / "md")
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped already: no such child
