"""One shape for every problem the engine finds: ``path:line:col: severity[code]: message``.

Library code collects :class:`Problem` values and raises :class:`DossierError` once, with
all of them; only the CLI and the MkDocs adapter turn that into exit codes.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """A problem at a place in a file.  ``line`` and ``column`` count from 1."""

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity.value}[{self.code}]: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def format_github(self) -> str:
        kind = "error" if self.severity is Severity.ERROR else "warning"
        message = self.message + (f" ({self.hint})" if self.hint else "")
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return (
            f"::{kind} file={_github_property(self.path)},line={self.line},col={self.column},"
            f"title={_github_property(self.code)}::{message}"
        )

    def as_json(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


def _github_property(value: str) -> str:
    """Escape a property of a GitHub Actions workflow command (as @actions/core does)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A").replace(":", "%3A").replace(",", "%2C")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.path, p.line, p.column, p.code, p.message))


def summary_line(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    files = len({p.path for p in problems if p.severity is Severity.ERROR})
    return (
        f"{errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )


def format_problems(problems: list[Problem], output_format: str = "text") -> str:
    ordered = sort_problems(problems)
    if output_format == "json":
        return json.dumps([p.as_json() for p in ordered], ensure_ascii=False, indent=2)
    if output_format == "github":
        return "\n".join(p.format_github() for p in ordered)
    return "\n".join(p.format() for p in ordered)


def format_report(problems: list[Problem], output_format: str = "text") -> str:
    """Errors first, then warnings listed apart; '' when there is nothing to say (text and github).

    ``json`` gives one object: ``{"errors": [...], "warnings": [...], "summary": {...}}``.  In text,
    while there are errors the warnings are counted by code rather than listed, so that the errors
    stay in sight; they are listed once the errors are fixed (and always in json and github).
    """
    ordered = sort_problems(problems)
    errors = [p for p in ordered if p.severity is Severity.ERROR]
    warnings = [p for p in ordered if p.severity is Severity.WARNING]
    if output_format == "json":
        return json.dumps(
            {
                "errors": [p.as_json() for p in errors],
                "warnings": [p.as_json() for p in warnings],
                "summary": {
                    "errors": len(errors),
                    "warnings": len(warnings),
                    "files_with_errors": len({p.path for p in errors}),
                    "text": summary_line(ordered),
                },
            },
            ensure_ascii=False,
            indent=2,
        )
    sections = []
    if errors:
        sections.append(format_problems(errors, output_format))
    if warnings and errors and output_format == "text":
        by_code: dict[str, int] = {}
        for warning in warnings:
            by_code[warning.code] = by_code.get(warning.code, 0) + 1
        sections.append(
            "warnings, listed once the errors are fixed (or with --format json): "
            + ", ".join(f"{count} {code}" for code, count in sorted(by_code.items()))
        )
    elif warnings:
        heading = "" if output_format == "github" else "warnings (they fail the check only with --strict):\n"
        sections.append(heading + format_problems(warnings, output_format))
    return "\n\n".join(sections)


class DossierError(Exception):
    """Raised with every error found, so that one run reports them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = sort_problems(problems)
        super().__init__(format_report(self.problems) + "\n" + summary_line(self.problems))


def suggest_closest(word: str, choices) -> str:
    """The hint for a misspelt word: "did you mean 'x'?" with the closest choice, or '' (one rule everywhere)."""
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else ""
