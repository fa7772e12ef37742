"""Concurrent uses of one promo code never overshoot ``max_uses`` nor the once-per-person
rule (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import PromoCode, PromoCodeRedemption
from apps.commerce.services.promo_codes import PromoCodeRefused, promo_code_redeem
from apps.schools.services.people import user_create
from tests.factories import OfferFactory, PromoCodeFactory

THREADS = 16
RUNS = 3


def _race(work) -> list[str]:
    """Run ``work`` in THREADS threads released together; each returns "ok" or a code."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(work(index))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _redeem(code: PromoCode, offer, user) -> str:
    try:
        promo_code_redeem(code.code, offer, user, offer.price_cents)
    except PromoCodeRefused as exc:
        return exc.code
    return "ok"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("run", range(RUNS))
def test_sixteen_concurrent_uses_of_a_five_use_code_make_exactly_five(school, run):
    # given
    offer = OfferFactory(school=school)
    code = PromoCodeFactory(school=school, max_uses=5, pool__offers=[offer])

    # when
    outcomes = _race(lambda index: _redeem(code, offer, None))

    # then
    assert sorted(outcomes) == ["code_exhausted"] * (THREADS - 5) + ["ok"] * 5
    code.refresh_from_db()
    assert code.uses == 5
    assert PromoCodeRedemption.objects.filter(code=code).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_uses_by_one_person_of_a_single_use_pool_make_one(school):
    # given
    offer = OfferFactory(school=school)
    code = PromoCodeFactory(
        school=school, max_uses=100, pool__single_use_per_user=True, pool__offers=[offer]
    )
    user = user_create(school=school, email="racer@alpha.test", first_name="R", last_name="R")[
        0
    ].user

    # when
    outcomes = _race(lambda index: _redeem(code, offer, user))

    # then
    assert sorted(outcomes) == ["code_already_used"] * (THREADS - 1) + ["ok"]
    code.refresh_from_db()
    assert code.uses == 1
    assert PromoCodeRedemption.objects.filter(code=code).count() == 1
