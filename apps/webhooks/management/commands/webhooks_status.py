import json

from django.core.management.base import BaseCommand, CommandError

from apps.schools.models import School
from apps.webhooks.selectors import delivery_status_report


class Command(BaseCommand):
    help = "Show the webhook delivery backlog and the endpoints that are failing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--school", help="Only this school (its slug).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(self, *args, school: str | None, as_json: bool, **options) -> None:
        found = None
        if school:
            found = School.objects.filter(slug=school).first()
            if found is None:
                raise CommandError(f"No school with slug {school!r}.")
        report = delivery_status_report(school=found)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(
            f"due now: {report['due']} (oldest waiting {report['oldest_due_seconds']} s)\n"
            f"scheduled retries: {report['scheduled']}\n"
            f"sending: {report['sending']} (expired leases: {report['expired_leases']})\n"
            f"last 24 h: {report['succeeded_24h']} succeeded, {report['failed_24h']} failed"
        )
        failing = report["failing_webhooks"]
        self.stdout.write(f"failing endpoints: {len(failing)}")
        for item in failing:
            state = "active" if item["active"] else "DISABLED"
            self.stdout.write(
                f"  {item['id']} [{item['school']}] {state} "
                f"failures={item['consecutive_failures']} {item['target_url']}"
            )
            detail = item["deactivate_reason"] or item["last_error"]
            if detail:
                self.stdout.write(f"    {detail}")
