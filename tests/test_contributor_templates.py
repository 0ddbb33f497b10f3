"""A broken template override stops the build with its file and line, never a traceback."""

from __future__ import annotations

import yaml
from conftest import make_project, mkdocs_build

from generator import cli

BROKEN = {
    "syntax": ("{{ nope( }}\n", 1, "TemplateSyntaxError"),
    "undefined": ("# {{ source.title | md }}\n\n{{ source.no_such_field }}\n", 3, "UndefinedError"),
}


def _override(folder, kind: str) -> tuple[int, str]:
    text, line, name = BROKEN[kind]
    folder.mkdir(exist_ok=True)
    (folder / "source.md.j2").write_text(text, encoding="utf-8")
    return line, name


def test_cli_build_reports_the_template_file_and_line(mini_content, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for kind in BROKEN:
        line, name = _override(tmp_path / "templates", kind)
        status = cli.main(["build", "--content", str(mini_content), "--out", "md", "--templates", "templates"])
        error = capsys.readouterr().err
        assert status == 1, kind
        assert error.startswith(f"templates/source.md.j2:{line}:1: error[template]: {name}: "), error
        assert "Traceback" not in error


def test_mkdocs_build_stops_with_the_template_file_and_line(mini_content, tmp_path):
    config_path = make_project(tmp_path, mini_content)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "dossier" in plugin:
            plugin["dossier"]["templates_dir"] = "templates"
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    line, name = _override(tmp_path / "templates", "undefined")
    result = mkdocs_build(config_path, tmp_path / "site")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"source.md.j2:{line}:1: error[template]: {name}" in output and "Traceback" not in output
    assert not (tmp_path / "site" / "index.html").exists()
