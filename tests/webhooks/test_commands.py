"""manage.py webhooks_status and prune_deliveries."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apps.webhooks.models import Delivery
from tests.factories import DeliveryFactory, WebhookFactory

pytestmark = pytest.mark.django_db


def test_status_reports_backlog_and_failing_endpoints(school):
    # given
    hook = WebhookFactory(school=school, consecutive_failures=3, last_error="boom")
    DeliveryFactory(
        school=school,
        webhook=hook,
        status=Delivery.Status.PENDING,
        next_attempt_at=timezone.now() - timedelta(minutes=1),
    )
    out = StringIO()

    # when
    call_command("webhooks_status", "--json", stdout=out)

    # then
    report = json.loads(out.getvalue())
    assert report["due"] == 1
    assert report["oldest_due_seconds"] >= 59
    assert report["failing_webhooks"][0]["id"] == hook.id


def test_status_prints_text_for_one_school(school):
    # given
    WebhookFactory(school=school, consecutive_failures=1, last_error="refused")
    out = StringIO()

    # when
    call_command("webhooks_status", "--school", school.slug, stdout=out)

    # then
    assert "failing endpoints: 1" in out.getvalue()
    assert "refused" in out.getvalue()


def test_status_refuses_unknown_school():
    # when / then
    with pytest.raises(CommandError):
        call_command("webhooks_status", "--school", "nope")


def test_prune_deletes_old_finished_deliveries(school):
    # given
    old = DeliveryFactory(school=school)
    Delivery.objects.filter(id=old.id).update(created_at=timezone.now() - timedelta(days=31))
    DeliveryFactory(school=school)
    out = StringIO()

    # when
    call_command("prune_deliveries", "--older-than", "30d", stdout=out)

    # then
    assert "Deleted 1 " in out.getvalue()
    assert Delivery.objects.count() == 1


@pytest.mark.parametrize("age", ["30", "thirty days", "-1d", "5y"])
def test_prune_refuses_bad_ages(age):
    # when / then
    with pytest.raises(CommandError):
        call_command("prune_deliveries", "--older-than", age)
