"""The orjson renderer writes what DRF's JSON renderer writes."""

import datetime as dt
import json
from decimal import Decimal

from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from apps.core.renderers import JSONRenderer


def test_renders_like_drf_for_api_values():
    # given
    data = {
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, 6000, tzinfo=dt.UTC),
        "price": Decimal("10.50"),
        "names": ["Zoë", "Ölaf"],
        "nested": {"n": 1, "none": None, "flag": True},
    }

    # when
    ours = JSONRenderer().render(data)
    theirs = DRFJSONRenderer().render(data)

    # then
    assert json.loads(ours) == json.loads(theirs)
    assert b'"2026-01-02T03:04:05.006000Z"' in ours


def test_renders_nothing_for_no_content():
    assert JSONRenderer().render(None) == b""
