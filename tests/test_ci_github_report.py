"""scripts/github_report.py against a fake GitHub API on 127.0.0.1: one pull-request comment updated in
place, one standing issue updated week after week, and the job summary when the token may not write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import ROOT


class FakeGitHub:
    """Comments and issues of one repository, ``owner/dossier``; ``read_only`` refuses every write."""

    def __init__(self):
        self.comments: list[dict] = []
        self.issues: list[dict] = []
        self.read_only = False
        self.writes: list[tuple[str, str, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, payload=None, link: str = ""):
                body = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if link:
                    self.send_header("Link", link)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                query = parse_qs(url.query)
                assert self.headers["Authorization"] == "Bearer secret-token"
                if url.path == "/repos/owner/dossier/issues/7/comments":
                    page = int(query.get("page", ["1"])[0])  # two to a page, to exercise the Link header
                    items = fake.comments[(page - 1) * 2 : page * 2]
                    more = len(fake.comments) > page * 2
                    link = f'<{fake.url}{url.path}?per_page=100&page={page + 1}>; rel="next"' if more else ""
                    return self._send(200, items, link)
                if url.path == "/repos/owner/dossier/issues":
                    label = query.get("labels", [""])[0]
                    return self._send(
                        200, [i for i in fake.issues if (not label or label in i["labels"]) and i["state"] == "open"]
                    )
                return self._send(404, {"message": "Not Found"})

            def _write(self):
                length = int(self.headers["Content-Length"])
                payload = json.loads(self.rfile.read(length))
                if fake.read_only:
                    return None, self._send(403, {"message": "Resource not accessible by integration"})
                fake.writes.append((self.command, urlsplit(self.path).path, payload))
                return payload, None

            def do_POST(self):
                payload, refused = self._write()
                if payload is None:
                    return refused
                if self.path == "/repos/owner/dossier/issues/7/comments":
                    comment = {"id": 1000 + len(fake.comments), "body": payload["body"]}
                    fake.comments.append(comment)
                    return self._send(201, comment)
                if self.path == "/repos/owner/dossier/issues":
                    issue = {
                        "number": 50 + len(fake.issues),
                        "title": payload["title"],
                        "body": payload["body"],
                        "labels": payload["labels"],
                        "state": "open",
                    }
                    fake.issues.append(issue)
                    return self._send(201, issue)
                return self._send(404, {"message": "Not Found"})

            def do_PATCH(self):
                payload, refused = self._write()
                if payload is None:
                    return refused
                parts = self.path.rstrip("/").split("/")
                if "comments" in parts:
                    target = next(c for c in fake.comments if c["id"] == int(parts[-1]))
                else:
                    target = next(i for i in fake.issues if i["number"] == int(parts[-1]))
                target["body"] = payload["body"]
                return self._send(200, target)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()


@pytest.fixture
def github():
    fake = FakeGitHub()
    yield fake
    fake.server.shutdown()


def report(github: FakeGitHub, tmp_path, *arguments: str, body: str, summary: bool = True):
    body_file = tmp_path / "report.md"
    body_file.write_text(body, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if "proxy" not in key.lower()}
    env.update(GITHUB_API_URL=github.url, GITHUB_REPOSITORY="owner/dossier", GITHUB_TOKEN="secret-token")
    if summary:
        env["GITHUB_STEP_SUMMARY"] = str(tmp_path / "summary.md")
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "github_report.py"), *arguments, "--body-file", str(body_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_pull_request_comment_is_created_once_then_updated_in_place(github, tmp_path):
    github.comments += [
        {"id": 1, "body": "Looks good"},
        {"id": 2, "body": "one question"},
        {"id": 3, "body": "another reviewer"},
    ]
    first = report(github, tmp_path, "comment", "--pr", "7", body="<!-- dossier-diff -->\n1 added.\n")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "commented on pull request #7 (comment 1003)\n"
    second = report(github, tmp_path, "comment", "--pr", "7", body="<!-- dossier-diff -->\n2 added.\n")
    assert second.stdout == "updated comment 1003 on pull request #7\n"  # found on the second page of comments
    assert [c["body"] for c in github.comments] == [
        "Looks good",
        "one question",
        "another reviewer",
        "<!-- dossier-diff -->\n2 added.\n",
    ]
    assert (tmp_path / "summary.md").read_text(encoding="utf-8").count("<!-- dossier-diff -->") == 2


def test_read_only_token_leaves_the_report_in_the_job_summary(github, tmp_path):
    github.read_only = True
    result = report(github, tmp_path, "comment", "--pr", "7", body="<!-- dossier-diff -->\n1 removed.\n")
    assert result.returncode == 0
    assert "GitHub refused to write (403" in result.stderr and "the report is in the job summary" in result.stderr
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == "<!-- dossier-diff -->\n1 removed.\n"
    assert github.comments == []


def test_refused_write_without_a_job_summary_fails(github, tmp_path):
    github.read_only = True
    result = report(github, tmp_path, "comment", "--pr", "7", body="x\n", summary=False)
    assert result.returncode == 1 and "GitHub API error 403" in result.stderr


def test_standing_issue_is_opened_once_then_its_body_replaced(github, tmp_path):
    github.issues.append(
        {"number": 3, "title": "External links", "body": "someone else's", "labels": ["links"], "state": "closed"}
    )
    arguments = ("issue", "--title", "External link check", "--label", "external-links")
    first = report(github, tmp_path, *arguments, body="3 broken links\n")
    assert first.returncode == 0, first.stderr
    assert first.stdout == "opened issue #51\n"
    second = report(github, tmp_path, *arguments, body="all links work\n")
    assert second.stdout == "updated issue #51\n"
    assert [(i["number"], i["body"]) for i in github.issues] == [(3, "someone else's"), (51, "all links work\n")]
    assert github.issues[1]["labels"] == ["external-links"]


def test_standing_issue_whose_label_was_dropped_is_found_by_its_title(github, tmp_path):
    github.issues.append({"number": 9, "title": "External link check", "body": "old", "labels": [], "state": "open"})
    result = report(
        github, tmp_path, "issue", "--title", "External link check", "--label", "external-links", body="new\n"
    )
    assert result.stdout == "updated issue #9\n"
    assert len(github.issues) == 1 and github.issues[0]["body"] == "new\n"


def test_report_longer_than_github_allows_is_cut_in_the_comment_but_whole_in_the_summary(github, tmp_path):
    body = "<!-- dossier-diff -->\n" + "".join(f"- `record-{n:05}`\n" for n in range(6000))
    result = report(github, tmp_path, "comment", "--pr", "7", body=body)
    assert result.returncode == 0, result.stderr
    posted = github.comments[0]["body"]
    assert len(posted) < 65_536 and posted.startswith("<!-- dossier-diff -->\n- `record-00000`\n")
    assert f"… cut here: the whole report ({len(body):,} characters) is in the job summary" in posted
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == body
