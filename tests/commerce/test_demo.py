import io

import pytest
from django.core.management import call_command

from apps.catalog.models import PublishedCourse
from apps.commerce.models import Offer
from apps.schools.management.commands import seed_demo
from apps.schools.models import School

pytestmark = pytest.mark.django_db


def test_seed_demo_prices_each_published_course_once(tmp_path, monkeypatch):
    # given
    monkeypatch.setattr(seed_demo, "KEY_FILE", tmp_path / ".demo-credentials")

    # when run twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # then: one offer per published course, the first free
    school = School.objects.get(slug="demo")
    published = PublishedCourse.objects.filter(school=school)
    offers = Offer.objects.filter(school=school).order_by("published_course_id")
    assert published.count() == 2
    assert [offer.published_course_id for offer in offers] == sorted(p.id for p in published)
    assert [offer.price_cents for offer in offers] == [0, 4900]
    assert {offer.currency_code for offer in offers} == {"USD"}
