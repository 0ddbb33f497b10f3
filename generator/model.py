"""Checked records as frozen dataclasses.  Built only by :mod:`generator.check`."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day."""

    year: int
    month: int = 0  # 0: unknown
    day: int = 0  # 0: unknown

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse YYYY, YYYY-MM or YYYY-MM-DD; raises ValueError naming what is wrong."""
        parts = text.split("-")
        if (
            not 1 <= len(parts) <= 3
            or len(parts[0]) != 4
            or any(len(p) != 2 for p in parts[1:])
            or not all(p.isascii() and p.isdigit() for p in parts)
        ):
            raise ValueError(f"'{text}' is not a date")
        year, month, day = (int(p) for p in parts + ["0"] * (3 - len(parts)))
        if len(parts) >= 2 and not 1 <= month <= 12:
            raise ValueError(f"month {parts[1]} does not exist")
        if len(parts) == 3:
            last_day = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last_day:
                raise ValueError(f"{MONTHS[month - 1]} {year} has no day {day} (it has {last_day} days)")
        if year < 1000:
            raise ValueError(f"year {year} is out of range")
        return cls(year, month, day)

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def iso(self) -> str:
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def human(self, qualifier: str | None = None) -> str:
        """'27 November 2025', 'April 2025', 'mid-May 2025', 'since April 2025'."""
        if self.day:
            text = f"{self.day} {MONTHS[self.month - 1]} {self.year}"
        elif self.month:
            text = f"{MONTHS[self.month - 1]} {self.year}"
        else:
            text = str(self.year)
        if not qualifier:
            return text
        if qualifier in ("early", "mid", "late"):
            return f"{qualifier}-{text}"
        return f"{qualifier} {text}"

    def __str__(self) -> str:
        return self.iso()


@dataclass(frozen=True)
class Origin:
    """Where a record or a part of it was written: for messages and "edit this record" links."""

    path: str
    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Alias:
    name: str
    lang: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Fact:
    key: str
    value: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Relationship:
    type: str
    target: str
    sources: tuple[str, ...]
    since: PartialDate | None = None
    until: PartialDate | None = None
    qualifier: str | None = None
    note: str | None = None
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class LifecycleState:
    state: str
    date: PartialDate
    sources: tuple[str, ...]
    qualifier: str | None = None
    note: str | None = None
    event: str | None = None


@dataclass(frozen=True)
class Participant:
    entity: str
    role: str | None = None


@dataclass(frozen=True)
class Entity:
    id: str
    origin: Origin
    type: str
    name: str
    summary: str
    aliases: tuple[Alias, ...] = ()
    description: str | None = None
    facts: tuple[Fact, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    lifecycle: tuple[LifecycleState, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    former_ids: tuple[str, ...] = ()

    kind = "entity"

    @property
    def title(self) -> str:
        return self.name


@dataclass(frozen=True)
class Event:
    id: str
    origin: Origin
    date: PartialDate
    title: str
    summary: str
    sources: tuple[str, ...]
    qualifier: str | None = None
    description: str | None = None
    participants: tuple[Participant, ...] = ()
    place: str | None = None
    topics: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    former_ids: tuple[str, ...] = ()

    kind = "event"

    @property
    def human_date(self) -> str:
        return self.date.human(self.qualifier)

    @property
    def sort_key(self) -> tuple:
        return (self.date.year, self.date.month, self.date.day, self.id)


def human_period(since: PartialDate | None, until: PartialDate | None, qualifier: str | None = None) -> str:
    """'since April 2025', 'until 2024', 'March 2023 – 2024', or '' when neither end is known."""
    if since and until:
        return f"{since.human(qualifier)} – {until.human()}"
    if since:
        return f"since {since.human(qualifier)}"
    if until:
        return f"until {until.human(qualifier)}"
    return ""


def split_citation(citation: str) -> tuple[str, str | None]:
    """'source-id#excerpt-id' -> ('source-id', 'excerpt-id'); no '#': (id, None)."""
    source_id, _, excerpt_id = citation.partition("#")
    return source_id, excerpt_id or None


@dataclass(frozen=True)
class Location:
    """Where an excerpt stands in its source; any part may be unknown."""

    section: str | None = None
    paragraph: int | None = None
    page: int | None = None
    timestamp: str | None = None

    def human(self) -> str:
        """'section "Игра в кошки-мышки", paragraph 3' (empty when nothing is known)."""
        parts = []
        if self.section:
            parts.append("the lead" if self.section == "lead" else f"section “{self.section}”")
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.paragraph is not None:
            parts.append(f"paragraph {self.paragraph}")
        if self.timestamp:
            parts.append(f"at {self.timestamp}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Excerpt:
    """A passage of a source, in its own words, that statements rest on.

    ``voice`` is the id of the source that speaks in it: the source itself when None, else one
    it relays (directly or further down), as when an outlet quotes another outlet's informants.
    """

    id: str
    quote: str
    translation: str | None = None
    lang: str | None = None
    location: Location | None = None
    voice: str | None = None
    note: str | None = None
    origin: Origin | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StoredText:
    """A copy of a source's text in the repository; ``path`` is relative to the content folder."""

    path: str
    origin: str


@dataclass(frozen=True)
class Source:
    id: str
    origin: Origin
    title: str
    kind_of_source: str
    title_en: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    qualifier: str | None = None
    language: str | None = None
    url: str | None = None
    relays: tuple[str, ...] = ()
    note: str | None = None
    archive_url: str | None = None
    stored_text: StoredText | None = None
    excerpts: tuple[Excerpt, ...] = ()
    former_ids: tuple[str, ...] = ()

    kind = "source"

    @property
    def display_title(self) -> str:
        return self.title_en or self.title

    def excerpt(self, excerpt_id: str) -> Excerpt | None:
        return next((excerpt for excerpt in self.excerpts if excerpt.id == excerpt_id), None)


@dataclass(frozen=True)
class Page:
    """A hand-written Markdown page from ``content/pages/`` (home, about ...)."""

    id: str
    origin: Origin
    title: str
    body: str


Record = Entity | Event | Source
