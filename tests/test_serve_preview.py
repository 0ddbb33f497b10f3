"""`make serve`, as the README gives it: it serves the site, says where, and shows an edit.

The command is read from the README's code block and run as written, in a copy of the
project, on a free port passed through ``SERVE_ADDR`` (the make variable the README
documents).  No timing is asserted: each wait is bounded only so that a broken preview fails.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, documented_commands, start_documented

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, timeout: float, what: str, log: Path, process: subprocess.Popen):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if process.poll() is not None:
            raise AssertionError(
                f"the preview stopped (status {process.returncode}) before {what}:\n"
                f"{log.read_text(errors='replace')[-4000:]}"
            )
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}; the preview said:\n{log.read_text(errors='replace')[-4000:]}")


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, OSError):
        return None


def test_readme_documents_the_serve_address_and_its_path():
    (command,) = [c for _file, c in documented_commands() if c.startswith("make serve")]
    assert command == "make serve"
    assert "SERVE_ADDR" in README and "the path of `site_url`" in README
    assert (
        "with `DOSSIER_SITE_URL=https://dossier.invalid/dossier/` (any address whose path is `/dossier/`) "
        "the address is\n`http://127.0.0.1:8000/dossier/`"
    ) in README
    assert "site_url: !ENV DOSSIER_SITE_URL" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_make_serve_as_the_readme_gives_it_serves_and_shows_an_edit(tmp_path):
    project = copy_project(tmp_path / "project")
    port = _free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as output:
        process = start_documented(
            "make serve",
            project,
            output,
            env={"SERVE_ADDR": f"127.0.0.1:{port}", "DOSSIER_SITE_URL": "https://dossier.invalid/dossier/"},
        )
    try:
        address = _wait_for(
            lambda: (re.search(r"Preview: open (http://\S+)", log.read_text(errors="replace")) or [None, None])[1],
            600,
            "the preview to print its address",
            log,
            process,
        )
        assert address == f"http://127.0.0.1:{port}/dossier/"
        # on_serve says how it watches just after the address: wait for that line too
        _wait_for(lambda: "Watching for changes by" in log.read_text(errors="replace"), 60, "the watcher", log, process)
        text = log.read_text(errors="replace")
        assert "Aborted" not in text and "WARNING" not in text, text[-4000:]
        assert "Dirty build: only the pages a change reaches are rebuilt" in text
        assert (
            "Watching for changes by file events (inotify)" in text
        )  # not MkDocs' polling (generator/mkdocs_plugin.py)

        page = address + "entities/alibaba/"
        first = _wait_for(lambda: _fetch(page), 120, f"{page} to be served", log, process)
        assert "Alibaba" in first and "Zanzibar Renamed" not in first

        record = project / "content" / "entities" / "alibaba.yaml"
        original = record.read_text(encoding="utf-8")
        renamed = re.sub(r"^name: (.*)$", r"name: Zanzibar Renamed \1", original, count=1, flags=re.M)
        assert renamed != original
        record.write_text(renamed, encoding="utf-8")
        _wait_for(
            lambda: "Zanzibar Renamed" in (_fetch(page) or ""), 300, "the edited name on the served page", log, process
        )
        # One edit, one rebuild: the build reading the records must not wake the watcher again.
        builds = log.read_text(errors="replace").count("Building documentation")
        time.sleep(2)
        assert log.read_text(errors="replace").count("Building documentation") == builds, "rebuilds without a change"

        # A record error is shown as one (file:line:col); the preview waits for the fix, then serves again
        broken = project / "content" / "entities" / "broken-for-test.yaml"
        broken.write_text("type: company\nname: Broken\nsummary: Links to [[nobody-here]].\n", encoding="utf-8")
        _wait_for(lambda: "nobody-here" in log.read_text(errors="replace"), 300, "the record error", log, process)
        assert re.search(r"content/entities/broken-for-test\.yaml:3:\d+: error\[unknown-reference\]", log.read_text())
        assert process.poll() is None, "the preview stopped on a record error"
        broken.unlink()
        _wait_for(lambda: "Zanzibar Renamed" in (_fetch(page) or ""), 300, "the page after the fix", log, process)
        assert process.poll() is None, "the preview stopped on a record error"

        # Ctrl-C, as in the terminal: the whole process group gets SIGINT, and the preview stops.
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=60)
        assert "Shutting down" in log.read_text(errors="replace")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the process group this test started
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_dirty_serve_build_stays_strict_for_every_other_warning(tmp_path, mini_content, caplog):
    """Only MkDocs' dirty-build warning is shown as information; a broken link still aborts the rebuild."""
    from conftest import make_project
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort

    config_path = make_project(tmp_path, mini_content)

    def serve_build():
        config = load_config(str(config_path), site_dir=str(tmp_path / "site"))
        assert config.strict, "mkdocs.yml must keep strict: true"
        config.plugins.on_startup(command="serve", dirty=True)
        try:
            build(config, dirty=True)
        finally:
            config.plugins.on_shutdown()

    with caplog.at_level(logging.INFO, logger="mkdocs"):
        serve_build()
    dirty_records = [r for r in caplog.records if "irty build" in r.getMessage()]
    assert [(r.levelname, r.getMessage()[:60]) for r in dirty_records] == [
        ("INFO", "Dirty build: only the pages a change reaches are rebuilt; th")
    ]

    (mini_content / "pages" / "notes.md").write_text(
        "---\ntitle: Notes\n---\n\nSee [the plan](missing-page.md).\n", encoding="utf-8"
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="mkdocs"), pytest.raises(Abort, match="1 warnings in strict mode"):
        serve_build()
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "Doc file 'notes.md' contains a link 'missing-page.md', but the target is not found among documentation files."
    ]
