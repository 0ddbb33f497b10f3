"""What a build is told about the site it makes, and where each page of it lives.

:class:`SiteSettings` is the one object the MkDocs adapter (or the CLI) fills from its
configuration; the pages, the data files, the graph and the feed read it.  Its
:meth:`~SiteSettings.page_url` is the one rule for a page's address: the JSON export, the
graph, the feed, FollowTheMoney and the redirect pages all give a record the same URL.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from . import schema


def record_path(record) -> str:
    """The Markdown path of a record's page: its permanent URL is derived from it."""
    return f"{schema.KIND_FOLDERS[record.kind]}/{record.id}.md"


def relative(from_path: str, to_path: str) -> str:
    """A link from one page to another, relative to the first one's folder: between Markdown paths
    as MkDocs expects them, or between built addresses (:meth:`SiteSettings.page_link`)."""
    # Both are clean paths below the docs folder, so a split does what posixpath.relpath
    # does without its abspath() and getcwd() calls, which cost a third of a large render.
    from_parts = from_path.split("/")[:-1]
    to_parts = to_path.split("/")
    common = 0
    while common < len(from_parts) and common < len(to_parts) - 1 and from_parts[common] == to_parts[common]:
        common += 1
    return "/".join([".."] * (len(from_parts) - common) + to_parts[common:])


def http_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address (the only kind that becomes a link in a data file), else None."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


@dataclass(frozen=True)
class SiteSettings:
    """The site's settings, as MkDocs' configuration and the ``dossier`` plugin's options give them."""

    #: The site's name (MkDocs ``site_name``): the feed's title, the data page's credit line.
    name: str = ""
    #: Where the site is published (MkDocs ``site_url``); empty when unknown.  Only an http(s)
    #: address makes URLs absolute.
    site_url: str = ""
    #: MkDocs ``use_directory_urls``: ``entities/x/`` when true, ``entities/x.html`` when false.
    directory_urls: bool = True
    #: The licence of the data, stated on the data page (e.g. "CC BY 4.0"), and its address.
    data_license: str = ""
    data_license_url: str = ""

    def page_url(self, markdown_path: str) -> str:
        """The URL (relative to the site root) MkDocs gives the page at ``markdown_path``."""
        stem, _ = posixpath.splitext(markdown_path)
        if not self.directory_urls:
            return stem + ".html"
        if posixpath.basename(stem) == "index":
            return posixpath.dirname(stem) + "/" if posixpath.dirname(stem) else ""
        return stem + "/"

    def page_link(self, from_path: str, to_path: str) -> str:
        """The address of the page at ``to_path`` relative to the built page at ``from_path`` (both
        Markdown paths), as a browser resolves it there: for links written as HTML, which MkDocs
        passes through as they are (a Markdown link names the ``.md`` file and MkDocs rewrites it)."""
        return relative(self.page_url(from_path), self.page_url(to_path)) or "./"

    def record_url(self, record) -> str:
        """The URL (relative to the site root) of a record's page."""
        return self.page_url(record_path(record))

    @property
    def base_url(self) -> str:
        """The http(s) site URL ending in '/', or '' when the site's address is not known."""
        url = http_url(self.site_url)
        return url.rstrip("/") + "/" if url else ""

    def absolute_url(self, site_path: str) -> str | None:
        """``site_path`` as an absolute URL, or None when the site's address is not known."""
        return self.base_url + site_path if self.base_url else None
