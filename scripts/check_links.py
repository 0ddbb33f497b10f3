"""Check every link of a built site: internal links with LinkChecker, #fragments against the ids
of their pages, external addresses offline for scheme and form, and for real only with ``--online``.

Why LinkChecker (pinned in requirements.txt): it is a maintained crawler that follows every
``href``/``src`` of the built HTML, CSS and sitemap.  It runs against the built site served on
a loopback address (directory URLs resolve to index.html as on the real host; a ``LinkChecker``
response header lifts its polite 10-requests-a-second limit, which is meant for other people's
servers).  MkDocs' own ``validation:`` settings in mkdocs.yml already check links between
Markdown pages at build time; this checks what actually reached the HTML (theme, templates,
generated pages).

Fragments are checked here, not by LinkChecker's AnchorCheck plugin: that plugin parses the
target page again for every link with a fragment, and a dossier's pages hold hundreds (citation
markers, reference lists, back links), so it took 64 of the 68 s of a link check of this
dossier's 110 pages.  :func:`fragment_problems` reads each page's ids once.

Offline (the default, used by the test suite): no request leaves the machine.  Every external
``href``/``src`` must be ``http``/``https`` with a host (``mailto:`` with an address); any other
scheme (``javascript:``, ``data:`` ...) in a link is an error.

Online (``--online``): LinkChecker also fetches the external addresses, at most
``--rate`` requests a second to one host, retrying failures ``--retries`` times with a growing
pause; addresses found good are cached in ``.build/link-cache.json`` for ``--cache-days`` and
not fetched again.

Usage: python scripts/check_links.py [SITE_DIR] [--online] [--rate N] [--retries N] [--cache-days N]
Exit status: 0 all good, 1 broken links (listed as ``page: link: reason``).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import functools
import http.server
import io
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import lxml.html

ROOT = Path(__file__).resolve().parent.parent
#: LinkChecker, as its ``linkchecker`` command runs it, but with its checker threads asking for the next
#: address every 0.05 s instead of every second: a run ends only when each thread has noticed that it should
#: stop, so each run idled for a second at its end (a whole second of a small site's crawl).
LINKCHECKER = [
    sys.executable,
    "-c",
    "import sys; import linkcheck.director.checker as checker; checker.QUEUE_POLL_INTERVALL_SECS = 0.05; "
    "from linkcheck.command.linkchecker import linkchecker; sys.argv[0] = 'linkchecker'; sys.exit(linkchecker())",
]
URL_ATTRIBUTES = ("href", "src")
_HOST_RE = re.compile(
    r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"  # a domain name
    r"|^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$"  # IPv4
    r"|^\[[0-9A-Fa-f:.]+\]$"
)  # IPv6
_MAIL_RE = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,63}$")


@dataclass(frozen=True, order=True)
class Broken:
    page: str
    link: str
    reason: str

    def format(self) -> str:
        return f"{self.page}: {self.link}: {self.reason}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        # LinkChecker honours request rates above 10/s only from servers that send this header.
        self.send_header("LinkChecker", "allowed")
        super().end_headers()

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that hangs up early is no error: LinkChecker reads a file only as far as it needs to."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LoopbackServer:
    """The site served on 127.0.0.1 and a free port, for as long as the ``with`` block lasts."""

    def __init__(self, site: Path):
        handler = functools.partial(_QuietHandler, directory=str(site))
        self.server = _Server(("127.0.0.1", 0), handler)
        # shutdown() returns at the server's next poll: every 0.05 s, not every 0.5 s
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def external_link_problems(site: Path) -> tuple[list[Broken], dict[str, set[str]]]:
    """Offline check of every link that leaves the site: scheme and form only.

    Returns the problems and every well-formed http(s) address with the pages that link it."""
    problems: list[Broken] = []
    external: dict[str, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        shown = page.relative_to(site).as_posix()
        tree = lxml.html.fromstring(page.read_bytes())
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in URL_ATTRIBUTES:
                value = element.get(attribute)
                if value is None:
                    continue
                reason, is_external = classify(value)
                if reason:
                    problems.append(Broken(shown, value, reason))
                elif is_external and value.lower().startswith(("http://", "https://")):
                    external.setdefault(value, set()).add(shown)
    return problems, external


def classify(value: str) -> tuple[str, bool]:
    """(reason it is malformed or '', whether it leaves the site) for one href/src value."""
    stripped = value.strip()
    if stripped != value or any(char.isspace() or ord(char) < 32 for char in value):
        return "white space or control characters in the address", True
    if value.startswith("//"):
        return "protocol-relative address; write https://", True
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if not scheme:
        return "", False
    if scheme in ("http", "https"):
        host = parts.hostname or ""
        if not host or not _HOST_RE.match(host if not host.startswith("[") else f"[{host}]"):
            return f"no valid host in {scheme} address", True
        return "", True
    if scheme == "mailto":
        address = parts.path.split("?")[0]
        return ("" if _MAIL_RE.match(address) else "malformed mailto address"), True
    return f"scheme '{scheme}:' is not linked (only http, https, mailto)", True


def _linkchecker_config(folder: Path, online: bool, rate: float) -> Path:
    """Offline: internal links and anchors only, fast (our loopback server allows it).  Online:
    external fetching at ``rate`` requests a second to one host (LinkChecker caps it at 10
    for servers that do not allow more)."""
    config = folder / "linkcheckerrc"
    config.write_text(
        "[checking]\n"
        "threads=10\n"
        f"maxrequestspersecond={rate}\n"
        "timeout=30\n"
        "[filtering]\n"
        f"checkextern={1 if online else 0}\n"
        "[output]\n",
        encoding="utf-8",
    )
    return config


def run_linkchecker(targets: list[str], config: Path, ignore: list[str] = (), extra: list[str] = ()) -> list[dict]:
    """Run LinkChecker on ``targets``; every result row that is invalid or warns about an anchor."""
    command = [*LINKCHECKER, "-f", str(config), "--no-status", "--no-robots", "-o", "csv", *extra]
    for pattern in ignore:
        command += ["--ignore-url", pattern]
    result = subprocess.run(command + list(targets), capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"linkchecker failed (exit {result.returncode}):\n{result.stderr}")
    lines = [line for line in result.stdout.splitlines() if line and not line.startswith("#")]
    rows = list(csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"))
    return [row for row in rows if row.get("valid") != "True" or "Anchor" in (row.get("warningstring") or "")]


def _relative(url: str, base: str) -> str:
    return "/" + url[len(base) :] if url.startswith(base) else url


def _reason(row: dict) -> str:
    if row.get("valid") == "True":  # an anchor warning
        return (row.get("warningstring") or "").split(" Available anchors")[0]
    return (row.get("result") or "").strip() or "invalid"


def redirect_pages(site: Path) -> list[str]:
    """Pages left at former addresses (a meta refresh): nothing links to them, so they are crawled from too."""
    return sorted(
        page.relative_to(site).as_posix()
        for page in site.rglob("*.html")
        if b'http-equiv="refresh"' in page.read_bytes()[:2048]
    )


def internal_link_problems(site: Path) -> list[Broken]:
    """LinkChecker over the site served on loopback: every internal link, from the home page and from
    every page that forwards a former address; then every #fragment (:func:`fragment_problems`)."""
    problems: list[Broken] = fragment_problems(site)
    with tempfile.TemporaryDirectory() as scratch, LoopbackServer(site) as server:
        config = _linkchecker_config(Path(scratch), online=False, rate=1000)
        starts = [server.url] + [server.url + path for path in redirect_pages(site)]
        for row in run_linkchecker(starts, config, ["^mailto:"]):
            url = row.get("url") or row.get("urlname") or ""
            if not url.startswith(server.url):
                continue  # external: checked for form by external_link_problems, online only on request
            page = _relative(row.get("parentname") or "", server.url)
            problems.append(Broken(page, _relative(url, server.url), _reason(row)))
    return problems


#: The built pages are UTF-8 (MkDocs writes nothing else), whether or not a page says so.
_UTF8 = lxml.html.HTMLParser(encoding="utf-8")
#: A fragment that needs no element: the top of the page (HTML's "indicated part of the document").
_TOP_FRAGMENTS = {"", "top"}


def _page_address(site: Path, page: Path) -> str:
    """The address of ``page`` as the site serves it, from the site's root: a folder's index.html is the folder."""
    relative = page.relative_to(site).as_posix()
    return "/" + (relative[: -len("index.html")] if relative.endswith("index.html") else relative)


def fragment_problems(site: Path) -> list[Broken]:
    """Every internal link (``href``/``src``) with a ``#fragment`` that no element of its target page
    holds (as an ``id``, or an ``<a name>``).  A link to a missing page is LinkChecker's to report.

    404.html is left out: it is served at any depth and links from the site's address, which only
    the build knows; nothing links to it, and LinkChecker does not reach it either.
    """
    anchors: dict[Path, set[str]] = {}  # each page's ids and <a name>s
    links: list[tuple[str, str]] = []  # (the page's address, a link with a fragment), in page order
    for page in sorted(site.rglob("*.html")):
        tree = lxml.html.fromstring(page.read_bytes(), parser=_UTF8)  # each page is read and parsed once
        anchors[page] = {element.get("id") for element in tree.iter() if element.get("id")} | {
            element.get("name") for element in tree.iter("a") if element.get("name")
        }
        if page.relative_to(site).as_posix() == "404.html":
            continue
        address = _page_address(site, page)
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            for attribute in URL_ATTRIBUTES:
                value = element.get(attribute)
                if value and "#" in value and not classify(value)[1]:  # not another site's (external_link_problems)
                    links.append((address, value))
    problems: list[Broken] = []
    for address, value in links:
        url = urlsplit(urljoin("http://site" + address, value))
        fragment = unquote(url.fragment)
        if url.netloc != "site" or fragment.lower() in _TOP_FRAGMENTS:
            continue
        target = site / unquote(url.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if target in anchors and fragment not in anchors[target]:  # a missing page is LinkChecker's
            problems.append(
                Broken(address, url.path + "#" + url.fragment, f"no element with id {fragment!r} on that page")
            )
    return problems


def failing_external_urls(urls: list[str], rate: float, retries: int) -> dict[str, str]:
    """Fetch ``urls`` with LinkChecker (no recursion), retrying failures; url -> reason for those still failing."""
    failing: dict[str, str] = {}
    pending = list(urls)
    with tempfile.TemporaryDirectory() as scratch:
        config = _linkchecker_config(Path(scratch), online=True, rate=rate)
        for attempt in range(retries + 1):
            if not pending:
                break
            if attempt:
                time.sleep(2 ** (attempt - 1))  # growing pause before each retry
            rows = run_linkchecker(pending, config, extra=["-r", "0", "--check-extern"])
            failing = {row.get("url") or row.get("urlname"): _reason(row) for row in rows}
            pending = [url for url in pending if url in failing]
    return {url: failing[url] for url in pending}


def _load_cache(path: Path | None, days: float) -> dict:
    if path is None:
        return {}
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    oldest = time.time() - days * 86400
    return {url: stamp for url, stamp in cache.items() if isinstance(stamp, (int, float)) and stamp >= oldest}


def check_site(
    site: Path,
    online: bool = False,
    rate: float = 2.0,
    retries: int = 2,
    cache_days: float = 7,
    cache_path: Path | None = None,
) -> list[Broken]:
    """Every broken link of the built site in ``site``; empty when all is well."""
    if not (site / "index.html").is_file():
        return [Broken(str(site), "index.html", "no built site here")]
    problems, pages_by_external = external_link_problems(site)
    problems += internal_link_problems(site)
    if online:
        cache = _load_cache(cache_path, cache_days)
        malformed = {problem.link for problem in problems}
        to_fetch = sorted(url for url in pages_by_external if url not in cache and url not in malformed)
        failing = failing_external_urls(to_fetch, rate, retries)
        for url, reason in sorted(failing.items()):
            problems += [Broken(page, url, reason) for page in sorted(pages_by_external[url])]
        if cache_path:
            now = time.time()
            cache.update({url: now for url in to_fetch if url not in failing})
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            cache_path.write_text(json.dumps(dict(sorted(cache.items())), indent=1), encoding="utf-8")
    return sorted(set(problems))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the links of a built site.")
    parser.add_argument("site", nargs="?", type=Path, default=ROOT / "site")
    parser.add_argument("--online", action="store_true", help="also fetch external addresses (opt-in)")
    parser.add_argument("--rate", type=float, default=2.0, help="online: requests a second to one host")
    parser.add_argument("--retries", type=int, default=2, help="online: retries of a failing address")
    parser.add_argument("--cache-days", type=float, default=7.0, help="online: how long a good address is trusted")
    parser.add_argument("--cache", type=Path, default=ROOT / ".build" / "link-cache.json")
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        help="also write the result as Markdown to this file (the weekly issue's body)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    problems = check_site(args.site, args.online, args.rate, args.retries, args.cache_days, args.cache)
    for problem in problems:
        print(problem.format())
    mode = "online" if args.online else "offline (external addresses checked for form only)"
    summary = f"{len(problems)} broken link{'s' if len(problems) != 1 else ''} in {args.site}, {mode}"
    print(f"{summary}, {time.monotonic() - started:.0f} s", file=sys.stderr)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(markdown_report(summary, [problem.format() for problem in problems]), encoding="utf-8")
    return 1 if problems else 0


def markdown_report(summary: str, lines: list[str]) -> str:
    """The result as Markdown: when, how many, and each broken link in a code block (its text is inert)."""
    checked = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = [f"Link check of {checked}: {summary}.", ""]
    if lines:
        fence = "`" * max(3, 1 + max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0))
        text += [fence, *lines, fence, ""]
    return "\n".join(text)


if __name__ == "__main__":
    raise SystemExit(main())
