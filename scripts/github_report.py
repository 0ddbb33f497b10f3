"""Post a Markdown report to GitHub from a workflow: one comment on a pull request, or one standing issue.

    python scripts/github_report.py comment --pr N --body-file FILE
        creates the pull request's comment holding the report, or updates it when a comment of this
        tool is already there (it is found by the marker line the report starts with);
    python scripts/github_report.py issue --title TITLE --label LABEL --body-file FILE
        updates the body of the open issue with that label and title, or opens it.

Both read GITHUB_REPOSITORY, GITHUB_TOKEN and GITHUB_API_URL (set on GitHub's runners) and always
append the report to the job summary ($GITHUB_STEP_SUMMARY) when there is one.  A token that may
not write (a pull request from a fork gets a read-only one) is no failure: the report is then only
in the job summary, and the script says so.  Standard library only: it runs before .venv exists.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_MARKER = "<!-- dossier-diff -->"
MAX_BODY = 60_000  # GitHub refuses a comment or issue body over 65,536 characters


class GitHub:
    def __init__(self, api_url: str, repository: str, token: str):
        self.api_url = api_url.rstrip("/")
        self.repository = repository
        self.token = token

    def request(self, method: str, path: str, payload: dict | None = None):
        url = path if path.startswith("http") else f"{self.api_url}/repos/{self.repository}{path}"
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(
            url,
            data=data,
            method=method,
            headers={
                "Accept": "application/vnd.github+json",
                "Authorization": f"Bearer {self.token}",
                "X-GitHub-Api-Version": "2022-11-28",
                "Content-Type": "application/json",
                "User-Agent": "dossier-github-report",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            return json.loads(body) if body else None, response.headers.get("Link", "")

    def all_pages(self, path: str) -> list:
        items, url = [], path
        while url:
            page, link = self.request("GET", url)
            items.extend(page or [])
            url = next((part.split(";")[0].strip(" <>") for part in link.split(",") if 'rel="next"' in part), "")
        return items


def write_summary(body: str) -> bool:
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return False
    with open(summary, "a", encoding="utf-8") as stream:
        stream.write(body if body.endswith("\n") else body + "\n")
    return True


def post_comment(github: GitHub, pr: int, body: str, marker: str) -> str:
    comments = github.all_pages(f"/issues/{pr}/comments?per_page=100")
    mine = next((c for c in comments if marker in (c.get("body") or "")), None)
    if mine:
        github.request("PATCH", f"/issues/comments/{mine['id']}", {"body": body})
        return f"updated comment {mine['id']} on pull request #{pr}"
    created, _ = github.request("POST", f"/issues/{pr}/comments", {"body": body})
    return f"commented on pull request #{pr} (comment {created['id']})"


def update_issue(github: GitHub, title: str, label: str, body: str) -> str:
    standing = None
    # By label first (one short list); then by title among all open issues, in case the label was
    # dropped (GitHub drops labels silently for a token that may not set them).
    for filters in ({"labels": label}, {}):
        query = urllib.parse.urlencode({"state": "open", "per_page": 100, **filters})
        issues = [i for i in github.all_pages(f"/issues?{query}") if "pull_request" not in i]
        standing = next((i for i in issues if i.get("title") == title), None)
        if standing:
            break
    if standing:
        github.request("PATCH", f"/issues/{standing['number']}", {"body": body})
        return f"updated issue #{standing['number']}"
    created, _ = github.request("POST", "/issues", {"title": title, "body": body, "labels": [label]})
    return f"opened issue #{created['number']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="github_report.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    comment = sub.add_parser("comment", help="create or update the report's comment on a pull request")
    comment.add_argument("--pr", type=int, required=True)
    comment.add_argument("--marker", default=DEFAULT_MARKER, help="the line that marks this tool's comment")
    issue = sub.add_parser("issue", help="update or open the standing issue")
    issue.add_argument("--title", required=True)
    issue.add_argument("--label", required=True)
    for command in (comment, issue):
        command.add_argument("--body-file", required=True)
    args = parser.parse_args(argv)

    try:
        with open(args.body_file, encoding="utf-8") as stream:
            body = stream.read()
    except FileNotFoundError:  # the step that writes it failed before the end: say so rather than nothing
        run = (
            "/".join(os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY"))
            + "/actions/runs/"
            + os.environ.get("GITHUB_RUN_ID", "")
        )
        body = f"The run wrote no report ({args.body_file} is missing); its log says why: {run}\n"
    if args.command == "comment" and args.marker not in body:
        body = f"{args.marker}\n{body}"
    in_summary = write_summary(body)
    if len(body) > MAX_BODY:
        cut = body.rfind("\n", 0, MAX_BODY)
        body = body[: cut if cut > 0 else MAX_BODY] + (
            f"\n\n… cut here: the whole report ({len(body):,} characters) is in the job summary of "
            + "/".join(os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY"))
            + "/actions/runs/"
            + os.environ.get("GITHUB_RUN_ID", "")
            + "\n"
        )
    repository, token = os.environ.get("GITHUB_REPOSITORY", ""), os.environ.get("GITHUB_TOKEN", "")
    if not repository or not token:
        print(
            "GITHUB_REPOSITORY or GITHUB_TOKEN is not set: nothing posted"
            + (" (the report is in the job summary)" if in_summary else ""),
            file=sys.stderr,
        )
        return 0 if in_summary else 1
    github = GitHub(os.environ.get("GITHUB_API_URL", "https://api.github.com"), repository, token)
    try:
        if args.command == "comment":
            print(post_comment(github, args.pr, body, args.marker))
        else:
            print(update_issue(github, args.title, args.label, body))
    except urllib.error.HTTPError as error:
        if error.code in (401, 403, 404) and in_summary:
            print(
                f"GitHub refused to write ({error.code} {error.reason}): the token may not write here "
                f"(a pull request from a fork); the report is in the job summary",
                file=sys.stderr,
            )
            return 0
        print(
            f"GitHub API error {error.code} {error.reason}: {error.read().decode('utf-8', 'replace')[:500]}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
