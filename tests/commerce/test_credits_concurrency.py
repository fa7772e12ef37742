"""Concurrent spends of one training credit code never overdraw it (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import TrainingCreditCode, TrainingCreditSpend
from apps.commerce.services.credits import training_credits_spend
from apps.core.errors import Conflict
from tests.factories import MemberFactory, OfferFactory, SchoolFactory, TrainingCreditCodeFactory

SPENDERS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_spends_never_overdraw_a_code():
    # given: 10 credits, an offer worth 3, eight spends released together
    school = SchoolFactory()
    code = TrainingCreditCodeFactory(school=school, credits_total=10)
    offer = OfferFactory(school=school, training_credit_value=3)
    users = [MemberFactory(school=school).user for _ in range(SPENDERS)]
    barrier = threading.Barrier(SPENDERS)
    outcomes: list[str] = []

    def spend(user) -> None:
        try:
            barrier.wait(timeout=10)
            training_credits_spend(code=code, offer=offer, user=user)
            outcomes.append("spent")
        except Conflict as refusal:
            outcomes.append(refusal.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=spend, args=(user,)) for user in users]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: exactly three spends of 3 fit in 10; one credit is left
    assert sorted(outcomes) == ["spent"] * 3 + ["training_credits_insufficient"] * 5
    assert TrainingCreditCode.objects.get(pk=code.pk).credits_remaining == 1
    assert TrainingCreditSpend.objects.filter(code=code).count() == 3
