"""Settings every ``gunicorn`` started from the project root reads (the Procfile's ``web``,
``make bench``): command-line flags still win.

Each worker imports the whole URL tree before its first request, so no request pays for
importing views, and then freezes what it holds into the collector's permanent generation
(``gc.freeze``). The settings, models, URL patterns and serializers loaded at start-up live
as long as the worker; without the freeze every full collection walks them all again, a
pause of about a tenth of a second that lands on whichever requests are in flight.
"""

import gc


def post_worker_init(worker) -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URLconf and view module
    gc.freeze()
