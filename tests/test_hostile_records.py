"""Hostile record files: every class from the site-QA issue gives a clear error naming the file
and line, exit status 1, never a traceback, and nothing written anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main as cli_main
from generator.loader import MAX_FILE_BYTES

GOOD_SOURCE = 'title: "A title"\nkind: news-article\n'


def _entity(name_line: str = 'name: "Acme"') -> str:
    return f'type: company\n{name_line}\nsummary: "Acme makes things."\n'


# (case id, file under content/, bytes, expected code, expected line)
CASES = [
    ("too-large", "sources/big.yaml", b"title: '" + b"x" * (MAX_FILE_BYTES + 10) + b"'\n", "file-too-large", 1),
    ("not-utf8", "sources/latin.yaml", b'title: "ok"\nkind: news-article\nnote: "caf\xe9"\n', "not-utf8", 3),
    ("bom", "sources/bom.yaml", b"\xef\xbb\xbf" + GOOD_SOURCE.encode(), "byte-order-mark", 1),
    ("tab", "sources/tab.yaml", b'title: "ok"\nkind:\tnews-article\n', "tab", 2),
    ("control-char", "sources/ctl.yaml", b'title: "o\x1bk"\nkind: news-article\n', "control-character", 1),
    ("list-not-mapping", "sources/list.yaml", b"- title: a\n- kind: b\n", "not-a-mapping", 1),
    ("empty", "sources/empty.yaml", b"", "empty-file", 1),
    ("only-comment", "sources/comment.yaml", b"# nothing here\n", "empty-file", 1),
    ("python-tag", "sources/tag.yaml", b'title: !!python/object/apply:os.system ["id"]\nkind: report\n', "yaml-tag", 1),
    ("custom-tag", "sources/tag2.yaml", b'title: "t"\nkind: !evil report\n', "yaml-tag", 2),
    ("tag-on-key", "sources/tag3.yaml", b'title: "t"\n!!python/name:os.system kind: report\n', "yaml-tag", 2),
    ("undefined-alias", "sources/alias.yaml", b'title: "t"\nkind: *nothing\n', "yaml-syntax", 2),
    # a syntax error later in the file is reported before the alias, as when a composer ran first
    ("alias-then-syntax", "sources/alias2.yaml", b'title: &t "t"\nkind: *t\nnote: "unclosed\n', "yaml-syntax", None),
    (
        "alias-bomb",
        "sources/bomb.yaml",
        b'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\ntitle: "t"\nkind: report\n',
        "yaml-alias",
        1,
    ),
    ("merge-key", "sources/merge.yaml", b'base: &b {kind: report}\n<<: *b\ntitle: "t"\n', None, 2),
    ("duplicate-key", "sources/dup.yaml", b'title: "a"\nkind: report\ntitle: "b"\n', "duplicate-key", 3),
    ("impossible-date", "sources/date.yaml", b'title: "a"\nkind: report\ndate: 2025-02-30\n', None, 3),
    ("yaml11-no", "entities/acme.yaml", _entity("name: NO").encode(), "needs-quotes", 2),
    ("yaml11-on", "entities/acme.yaml", _entity("name: on").encode(), "needs-quotes", 2),
    ("yaml11-octal", "entities/acme.yaml", _entity("name: 012").encode(), "needs-quotes", 2),
    ("yaml11-float", "entities/acme.yaml", _entity("name: 1e3").encode(), "needs-quotes", 2),
    # Deep nesting once crashed the process (libyaml's recursive composer overflowed the stack).
    (
        "deep-flow",
        "sources/deep.yaml",
        b"title: " + b"[" * 100_000 + b"]" * 100_000 + b"\nkind: report\n",
        "too-deep",
        1,
    ),
    (
        "deep-block",
        "sources/deep2.yaml",
        b"title: x\nkind: report\nnote:\n" + b"".join(b" " * (i + 1) + b"k%d:\n" % i for i in range(600)),
        "too-deep",
        23,
    ),
    (
        "multi-document",
        "sources/two.yaml",
        GOOD_SOURCE.encode() + b"---\n" + GOOD_SOURCE.encode(),
        "multiple-documents",
        4,
    ),
    (
        "multi-document-anchors",
        "sources/two2.yaml",
        b'title: &t "t"\nkind: report\n---\ntitle: &t "u"\n',
        "multiple-documents",
        4,
    ),  # each document has its own anchors
    ("syntax", "sources/syntax.yaml", b'title: "unclosed\nkind: report\n', "yaml-syntax", None),
    ("uppercase-id", "sources/Bad.yaml", GOOD_SOURCE.encode(), "bad-id", 1),
    ("lookalike-id", "sources/\u0430libaba.yaml", GOOD_SOURCE.encode(), "bad-id", 1),  # Cyrillic a
    ("dotted-id", "sources/a..b.yaml", GOOD_SOURCE.encode(), "bad-id", 1),
    ("yaml12-octal", "entities/acme.yaml", _entity("name: 0o17").encode(), "needs-quotes", 2),
    ("reserved-id", "sources/index.yaml", GOOD_SOURCE.encode(), "bad-id", 1),
    ("yml-extension", "sources/good.yml", GOOD_SOURCE.encode(), "wrong-extension", 1),
]


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` except .build/, the scratch folder where the parse cache lives."""
    files = {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }
    return {name: path.read_bytes() for name, path in files.items() if not name.startswith(".build/")}


def _run_cli(argv: list[str], capsys) -> tuple[int, str]:
    code = cli_main(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case_id, relative, payload, code, line", CASES, ids=[c[0] for c in CASES])
def test_hostile_file_gives_a_located_error_and_writes_nothing(
    case_id, relative, payload, code, line, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "content" / relative
    target.parent.mkdir(parents=True)
    target.write_bytes(payload)
    before = _snapshot(tmp_path)
    status, output = _run_cli(["check", "--content", "content"], capsys)
    assert status == 1, output
    assert "Traceback" not in output
    shown = f"content/{relative}"
    located = [row for row in output.splitlines() if row.startswith(shown + ":")]
    assert located, f"no error names {shown}:\n{output}"
    if code:
        assert any(f"error[{code}]" in row for row in located), output
    if line:
        assert any(row.startswith(f"{shown}:{line}:") for row in located), output
    status, output = _run_cli(["build", "--content", "content", "--out", "out"], capsys)
    assert status == 1 and "Traceback" not in output
    assert not (tmp_path / "out").exists()
    assert _snapshot(tmp_path) == before


def test_symlink_out_of_content_is_refused_and_never_read(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = tmp_path / "secret.yaml"
    secret.write_text(GOOD_SOURCE.replace("A title", "SECRET-TEXT"), encoding="utf-8")
    (tmp_path / "content" / "sources").mkdir(parents=True)
    os.symlink(secret, tmp_path / "content" / "sources" / "leak.yaml")
    status, output = _run_cli(["check", "--content", "content"], capsys)
    assert status == 1
    assert "content/sources/leak.yaml:1:1: error[symlink-outside]" in output
    assert "SECRET-TEXT" not in output


def test_symlinked_kind_folder_out_of_content_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "leak.yaml").write_text(GOOD_SOURCE, encoding="utf-8")
    (tmp_path / "content").mkdir()
    os.symlink(outside, tmp_path / "content" / "sources")
    status, output = _run_cli(["check", "--content", "content"], capsys)
    assert status == 1, output
    assert "symlink-outside" in output


def test_alias_bomb_is_refused_quickly(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    levels = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    (tmp_path / "content" / "sources").mkdir(parents=True)
    (tmp_path / "content" / "sources" / "bomb.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")
    status, output = _run_cli(["check", "--content", "content"], capsys)
    assert status == 1 and "error[yaml-alias]" in output


def test_command_line_reports_without_traceback(tmp_path):
    """The real entry point, in a subprocess: exit status 1 and a located message on a hostile file."""
    (tmp_path / "content" / "sources").mkdir(parents=True)
    (tmp_path / "content" / "sources" / "tag.yaml").write_bytes(b"title: !!python/name:os.system\nkind: report\n")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--content", "content"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "content/sources/tag.yaml:1:" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
