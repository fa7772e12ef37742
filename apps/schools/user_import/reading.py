"""Reading an import file: CSV records, the header's layout and each row, checked."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from apps.core.email_identity import (
    EmailRefused,
    InvisibleCharacter,
    email_key,
    normalize_email,
)
from apps.core.errors import ApiError
from apps.schools.models import Domain, SignupField
from apps.schools.services.people import ANONYMIZED_DOMAIN
from apps.schools.services.signup_fields import clean_value

GROUP_SEPARATOR = ";"
KNOWN_COLUMNS = ("email", "first_name", "last_name", "groups")
NAME_LIMIT = 150


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing was written)."""


@dataclass
class Row:
    """One checked row of the file, ready to write."""

    line: int
    email: str
    first_name: str
    last_name: str
    answers: dict[str, str]  # signup field id -> cleaned value
    groups: list[str]

    @property
    def key(self) -> str:
        return email_key(self.email)


def open_csv(path: Path) -> TextIO:
    """The file opened as UTF-8 text (a byte-order mark is skipped); bad bytes raise."""
    return open(path, newline="", encoding="utf-8-sig", errors="strict")


def read_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """``(first line number, fields)`` of each CSV record; file errors name the line."""
    try:
        with open_csv(path) as handle:
            reader = csv.reader(handle)
            line = 1
            for record in reader:
                yield line, record
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"The file is not UTF-8 text (byte {exc.start} of a line near line "
            f"{line_of_byte(path, exc)}); save it as CSV UTF-8 and try again."
        ) from None
    except csv.Error as exc:
        raise ImportFileError(f"The file is not valid CSV: {exc}.") from None
    except OSError as exc:
        raise ImportFileError(f"Cannot read the file: {exc.strerror or exc}.") from None


def line_of_byte(path: Path, exc: UnicodeDecodeError) -> int:
    """The line of the first undecodable byte (counted in the raw bytes)."""
    seen = 0
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
            seen = number
    return seen + 1


@dataclass
class Layout:
    """Which column holds what: the known columns, signup fields and ignored names."""

    email: int
    first_name: int | None
    last_name: int | None
    groups: int | None
    fields: dict[int, SignupField]
    width: int
    ignored: list[str]


def read_layout(header: list[str], domain: Domain) -> Layout:
    """The header's layout; ``ImportFileError`` without ``email`` or with a name twice."""
    names = [name.strip().lower() for name in header]
    if "email" not in names:
        raise ImportFileError(
            "The header has no 'email' column (found: "
            f"{', '.join(repr(h) for h in header) or 'nothing'})."
        )
    duplicated = sorted({name for name in names if name and names.count(name) > 1})
    if duplicated:
        raise ImportFileError(f"Columns appear twice in the header: {', '.join(duplicated)}.")
    by_label = {
        field.label.strip().lower(): field
        for field in SignupField.objects.filter(domain=domain).prefetch_related("options")
    }
    fields, ignored = {}, []
    for index, name in enumerate(names):
        if name in KNOWN_COLUMNS:
            continue
        if name in by_label:
            fields[index] = by_label[name]
        else:
            ignored.append(header[index])
    return Layout(
        email=names.index("email"),
        first_name=names.index("first_name") if "first_name" in names else None,
        last_name=names.index("last_name") if "last_name" in names else None,
        groups=names.index("groups") if "groups" in names else None,
        fields=fields,
        width=len(header),
        ignored=ignored,
    )


def parse_row(line: int, record: list[str], layout: Layout) -> Row | str:
    """A clean row, or the reason it must be skipped."""
    if len(record) != layout.width:
        return f"has {len(record)} fields where the header has {layout.width}"
    raw_email = record[layout.email].strip()
    try:
        email = normalize_email(raw_email)
        validate_email(email)
    except InvisibleCharacter as exc:
        return f"{raw_email!r}: {exc}"
    except (EmailRefused, ValidationError):
        return f"{raw_email!r} is not a valid e-mail address"
    if email.rpartition("@")[2] == ANONYMIZED_DOMAIN:
        return f"{raw_email!r}: addresses at {ANONYMIZED_DOMAIN} are reserved"
    if len(email) > 254:
        return "the e-mail address is longer than 254 characters"
    first = record[layout.first_name].strip() if layout.first_name is not None else ""
    last = record[layout.last_name].strip() if layout.last_name is not None else ""
    if len(first) > NAME_LIMIT or len(last) > NAME_LIMIT:
        return f"names may be at most {NAME_LIMIT} characters"
    answers = {}
    for index, signup_field in layout.fields.items():
        raw = record[index]
        if raw.strip() == "":
            continue
        try:
            answers[signup_field.id] = clean_value(signup_field, raw.strip())
        except ApiError as exc:
            return str(exc.detail)
    groups = []
    if layout.groups is not None:
        groups = [g.strip() for g in record[layout.groups].split(GROUP_SEPARATOR) if g.strip()]
    return Row(line, email, first, last, answers, list(dict.fromkeys(groups)))
