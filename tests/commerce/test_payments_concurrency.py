"""N first invoice-link calls on N payments at once give invoice numbers 1..N (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from apps.commerce.models import Payment
from tests.conftest import make_client
from tests.factories import PaymentFactory

COPIES = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_invoice_links_number_without_gaps(api_key):
    # given: six payments of one school without numbers, and a second call on each
    school = api_key[0].school
    payments = [PaymentFactory(school=school) for _ in range(COPIES)]
    barrier = threading.Barrier(COPIES * 2)
    numbers: dict[str, list[int]] = {payment.id: [] for payment in payments}
    failures = []

    def ask(payment_id: str) -> None:
        try:
            barrier.wait(timeout=10)
            response = make_client(api_key[1]).get(f"/api/v1/payments/{payment_id}/invoice-link")
            if response.status_code != 200:
                failures.append(response.content)
            else:
                numbers[payment_id].append(response.json()["invoice_number"])
        except Exception as exc:  # noqa: BLE001  (a thread's error must reach the assertion)
            failures.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(p.id,)) for p in payments for _ in range(2)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: each payment answered one number twice; the numbers are exactly 1..N
    assert failures == []
    assert all(len(set(got)) == 1 and len(got) == 2 for got in numbers.values()), numbers
    stored = sorted(Payment.objects.filter(school=school).values_list("invoice_number", flat=True))
    assert stored == list(range(1, COPIES + 1))
    assert sorted(got[0] for got in numbers.values()) == stored
