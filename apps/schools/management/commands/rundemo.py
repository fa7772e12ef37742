"""``make run``'s server: runserver, then the demo logins and API key under its banner.

``seed_demo`` prints them first, but runserver's system checks and banner follow and push
them out of sight; this repeats them once the server listens.
"""

from django.contrib.staticfiles.management.commands.runserver import Command as RunserverCommand

from apps.schools.management.commands.seed_demo import (
    DEMO_SLUG,
    KEY_FILE,
    STAFF_EMAIL,
    STAFF_PASSWORD,
)


class Command(RunserverCommand):
    help = "Serve like runserver and repeat the demo school's logins and API key under the banner."

    def on_bind(self, server_port: int) -> None:
        """Print runserver's banner, then the demo credentials (when seed_demo saved a key)."""
        super().on_bind(server_port)
        if not KEY_FILE.exists():
            return
        host = f"[{self.addr}]" if self.use_ipv6 else self.addr
        base = f"{self.protocol}://{host}:{server_port}"
        self.stdout.write(
            f"\nLyceum demo at {base}/  docs: {base}/api/docs/  admin: {base}/admin/ "
            f"({STAFF_EMAIL} / {STAFF_PASSWORD})\n"
            f"API key of school '{DEMO_SLUG}' (every scope; kept in {KEY_FILE.name}):\n"
            f"{KEY_FILE.read_text().strip()}\n"
        )
