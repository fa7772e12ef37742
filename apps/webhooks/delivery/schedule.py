"""When to try again: exponential backoff with jitter over a window, and Retry-After."""

import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings

BACKOFF_FACTOR = 3.0
JITTER = 0.2
MAX_RETRY_AFTER = timedelta(hours=24)


def retry_delays(max_attempts: int | None = None, window: float | None = None) -> list[float]:
    """Seconds to wait after attempt 1, 2, ... (no jitter); they add up to the window."""
    attempts = settings.WEBHOOKS_MAX_ATTEMPTS if max_attempts is None else max_attempts
    window = settings.WEBHOOKS_RETRY_WINDOW_SECONDS if window is None else window
    retries = max(attempts - 1, 0)
    if retries == 0:
        return []
    base = window * (BACKOFF_FACTOR - 1) / (BACKOFF_FACTOR**retries - 1)
    return [base * BACKOFF_FACTOR**k for k in range(retries)]


def next_delay(series_attempt: int) -> timedelta:
    """How long to wait after the ``series_attempt``-th attempt failed, with jitter."""
    delays = retry_delays()
    if not delays:
        return timedelta(0)
    base = delays[min(series_attempt, len(delays)) - 1]
    return timedelta(seconds=base * random.uniform(1 - JITTER, 1 + JITTER))


def retry_after(headers: dict[str, str], now: datetime) -> timedelta | None:
    """The receiver's ``Retry-After`` (seconds or an HTTP date), capped at 24 hours."""
    raw = (headers.get("retry-after") or "").strip()
    if not raw:
        return None
    if raw.isdigit():
        wait = timedelta(seconds=int(raw))
    else:
        try:
            wait = parsedate_to_datetime(raw) - now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    return max(timedelta(0), min(wait, MAX_RETRY_AFTER))
