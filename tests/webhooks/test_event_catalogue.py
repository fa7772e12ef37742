"""Every event a service emits is in the webhook catalogue, so endpoints can subscribe to it."""

import re
from pathlib import Path

from apps.webhooks import event_types

APPS = Path(__file__).resolve().parents[2] / "apps"
EMIT = re.compile(r"\bemit\(\s*[^,()]+(?:\([^()]*\))?[^,()]*,\s*\"([a-z0-9_.]+)\"", re.S)


def emitted_names() -> set[str]:
    """Event names passed as string literals to ``emit(...)`` anywhere under apps/."""
    names: set[str] = set()
    for path in APPS.rglob("*.py"):
        names.update(EMIT.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_emitted_event_is_catalogued():
    # given
    emitted = emitted_names()

    # when
    missing = sorted(emitted - set(event_types.BY_NAME))

    # then
    assert "user.created" in emitted
    assert not missing, f"add these to apps/webhooks/event_types/catalogue.py: {missing}"
