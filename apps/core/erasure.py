"""Erasing a person from the copies Lyceum keeps of what it once sent or received.

Events (and so every webhook delivery replayed from them), job parameters and results,
idempotency records and the response bodies receivers sent back can all hold a person's
e-mail and names long after the account itself is erased. Each app declares here which of
its columns hold such copies (``register_copies``), or that a free-text column holds none
(``register_no_copies``, with the reason); a test fails when a model gains a free-text
column declared neither way, so a new copy cannot be forgotten.

``person_scrub`` rewrites the school's rows that mention the person (by account id or
e-mail): in JSON, every string value equal to one of the person's values becomes
``""`` and the e-mail inside longer strings becomes the replacement address; in plain text
and bodies, the e-mail and the names (as whole words) are replaced likewise.
"""

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

# Column kinds that can hold a copy of anything a person typed or was sent.
FREE_TEXT_FIELDS = (models.TextField, models.JSONField, models.BinaryField, models.EmailField)

_copies: dict[str, tuple[str, ...]] = {}
_no_copies: dict[str, str] = {}
_worth_reading: dict[str, Q] = {}


def register_copies(model_label: str, *fields: str, where: Q | None = None) -> None:
    """Declare columns of ``model_label`` that may hold copies of a person's data; ``where``
    keeps ``person_scrub`` to the rows that can hold one (e.g. text bodies, not files)."""
    _copies[model_label] = tuple(dict.fromkeys((*_copies.get(model_label, ()), *fields)))
    if where is not None:
        _worth_reading[model_label] = where


def register_no_copies(model_label: str, field: str, *, reason: str) -> None:
    """Declare a free-text column that never holds a copy of a person's data, and why."""
    _no_copies[f"{model_label}.{field}"] = reason


def undeclared_fields() -> list[str]:
    """Free-text columns of every installed model declared neither way (``app.Model.field``)."""
    missing = []
    for model in apps.get_models():
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if not isinstance(field, FREE_TEXT_FIELDS):
                continue
            name = f"{label}.{field.name}"
            if field.name not in _copies.get(label, ()) and name not in _no_copies:
                missing.append(name)
    return sorted(missing)


@dataclass(frozen=True)
class Person:
    """What to erase: the account id and e-mail that find the rows, and the values to blank."""

    id: str
    email: str
    names: tuple[str, ...]
    replacement_email: str

    def values(self) -> set[str]:
        return {value for value in (self.email, *self.names) if value}


def _scrub_json(value: Any, person: Person) -> Any:
    if isinstance(value, dict):
        return {key: _scrub_json(item, person) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, person) for item in value]
    if isinstance(value, str):
        if value == person.email:
            return person.replacement_email
        if value in person.values():
            return ""
        return _scrub_text(value, person)
    return value


def _scrub_text(text: str, person: Person) -> str:
    if person.email:
        text = re.sub(re.escape(person.email), person.replacement_email, text, flags=re.I)
    for name in person.names:
        if name:
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "", text)
    return text


def _scrub_value(value: Any, person: Person) -> Any:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview):
        raw = bytes(value).decode("utf-8", "replace")
        try:
            return json.dumps(_scrub_json(json.loads(raw), person)).encode()
        except ValueError:
            return _scrub_text(raw, person).encode()
    if isinstance(value, str):
        return _scrub_text(value, person)
    return _scrub_json(value, person)


def _mentions(field: models.Field, person: Person) -> Q:
    name = field.name
    if isinstance(field, models.JSONField | models.BinaryField):
        name = f"_{field.name}_text"
    markers = Q(**{f"{name}__contains": person.id})
    if person.email:
        markers |= Q(**{f"{name}__icontains": person.email})
    return markers


def person_scrub(*, school, person: Person, models_: Iterable[str] | None = None) -> int:
    """Rewrite the school's registered copies that mention ``person``; returns rows changed."""
    changed = 0
    for label in models_ if models_ is not None else list(_copies):
        model = apps.get_model(label)
        fields = [model._meta.get_field(name) for name in _copies[label]]
        queryset = model._default_manager.filter(school=school)
        if label in _worth_reading:
            queryset = queryset.filter(_worth_reading[label])
        condition = Q()
        for field in fields:
            if isinstance(field, models.JSONField):
                queryset = queryset.annotate(
                    **{f"_{field.name}_text": Cast(field.name, TextField())}
                )
            elif isinstance(field, models.BinaryField):
                # No portable search inside bytes: the school's rows are read (``where``
                # keeps them to the text ones) and searched here.
                continue
            condition |= _mentions(field, person)
        binary = [f for f in fields if isinstance(f, models.BinaryField)]
        if not binary:
            queryset = queryset.filter(condition)
        for row in queryset.iterator():
            updates = {}
            for field in fields:
                old = getattr(row, field.attname)
                new = _scrub_value(old, person)
                if _normalised(new) != _normalised(old):
                    updates[field.attname] = new
            if updates:
                model._default_manager.filter(pk=row.pk).update(**updates)
                changed += 1
    return changed


def _normalised(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value
