"""Bulk generation of promo codes: a job, random unambiguous codes, exactly ``count`` of
them however often the job runs, and a CSV behind a signed link."""

import csv
import io

import pytest
from django.core.management import call_command

from apps.catalog.services.content import catalog_storage
from apps.commerce.models import PromoCode
from apps.commerce.services import promo_code_bulk
from apps.commerce.services.promo_code_bulk import (
    ALPHABET,
    bulk_job_create,
    promo_codes_bulk_run,
    random_codes,
)
from apps.core.models import Event, Job
from tests.factories import PromoCodeFactory, PromoCodePoolFactory

pytestmark = pytest.mark.django_db

POOLS = "/api/v1/promo-code-pools"


def _csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_bulk_answers_202_with_a_job_that_makes_count_codes_and_a_csv(
    api_client, client, school, eager, django_capture_on_commit_callbacks
):
    # given
    pool = PromoCodePoolFactory(school=school)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"{POOLS}/{pool.id}/promo-codes-bulk",
            {"count": 250, "prefix": "SPRING-", "length": 8, "max_uses": 2},
            format="json",
        )

    # then: the job, finished (tasks run eagerly here), read through /jobs
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    assert response["Location"].endswith(f"/api/v1/jobs/{job_id}")
    job = api_client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "succeeded", job
    assert job["result"]["generated"] == 250
    codes = list(PromoCode.objects.filter(pool=pool).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 250
    for code in codes:
        assert code.startswith("SPRING-")
        assert len(code) == len("SPRING-") + 8
        assert set(code.removeprefix("SPRING-")) <= set(ALPHABET)
    assert not set("01OIL") & set(ALPHABET)
    assert set(PromoCode.objects.filter(pool=pool).values_list("max_uses", flat=True)) == {2}
    rows = _csv_rows(client, job["result"]["download_url"])
    assert sorted(row["code"] for row in rows) == sorted(codes)
    assert Event.objects.filter(school=school, type="promo_codes.generated").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0, "max_uses": 1}, "count"),
        ({"count": 1_000_001, "max_uses": 1}, "count"),
        ({"count": 10, "max_uses": 0}, "max_uses"),
        ({"count": 10, "max_uses": 1, "prefix": "bad prefix"}, "prefix"),
        ({"count": 10, "max_uses": 1, "length": 3}, "length"),
        ({"max_uses": 1}, "count"),
    ],
)
def test_bulk_refuses_bad_requests(api_client, school, body, field):
    pool = PromoCodePoolFactory(school=school)

    response = api_client.post(f"{POOLS}/{pool.id}/promo-codes-bulk", body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Job.objects.exists()


def test_bulk_refuses_too_few_possible_codes(api_client, school):
    # 31**4 = 923,521 codes of 4 characters: not ten times 100,000
    pool = PromoCodePoolFactory(school=school)

    response = api_client.post(
        f"{POOLS}/{pool.id}/promo-codes-bulk",
        {"count": 100_000, "length": 4, "max_uses": 1},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "promo_bulk_invalid"


def test_another_schools_pool_is_404(api_client, other_school):
    pool = PromoCodePoolFactory(school=other_school)

    response = api_client.post(
        f"{POOLS}/{pool.id}/promo-codes-bulk", {"count": 5, "max_uses": 1}, format="json"
    )

    assert response.status_code == 404


def test_random_codes_are_uniform_over_the_alphabet():
    chars = "".join(random_codes(20_000, length=10))

    counts = [chars.count(letter) for letter in ALPHABET]

    # 200,000 draws over 31 letters: each near 6,452 (a biased table would be ~10% off)
    assert min(counts) > 6_000
    assert max(counts) < 6_900


def test_collisions_are_drawn_again_never_duplicated_nor_failed(school, monkeypatch):
    # given: the first draws are codes the school has, and repeats within a batch
    pool = PromoCodePoolFactory(school=school)
    PromoCodeFactory(school=school, code="TAKEN1")
    draws = iter([["TAKEN1", "TAKEN1", "NEW1", "NEW1"], ["TAKEN1", "NEW2", "NEW3"]])
    monkeypatch.setattr(
        promo_code_bulk,
        "random_codes",
        lambda count, **kwargs: next(draws, None) or random_codes(count, **kwargs),
    )
    job = bulk_job_create(pool=pool, count=4, max_uses=1)

    # when
    job = promo_codes_bulk_run(job=job, batch=4)

    # then
    assert job.status == "succeeded", job.error
    codes = sorted(PromoCode.objects.filter(job=job).values_list("code", flat=True))
    assert len(codes) == 4
    assert {"NEW1", "NEW2", "NEW3"} <= set(codes)
    assert "TAKEN1" not in codes


def test_a_job_run_again_after_dying_halfway_ends_with_exactly_count(school):
    # given: a run that dies after its second batch
    pool = PromoCodePoolFactory(school=school)
    job = bulk_job_create(pool=pool, count=1000, max_uses=1)

    def die(done: int, total: int) -> None:
        if done >= 200:
            raise SystemExit("worker killed")

    with pytest.raises(SystemExit):
        promo_codes_bulk_run(job=job, batch=100, on_batch=die)
    job.refresh_from_db()
    assert PromoCode.objects.filter(job=job).count() == job.progress_done == 200

    # when: the redelivered task runs it again
    job = promo_codes_bulk_run(job=Job.objects.get(pk=job.pk), batch=100)

    # then
    assert job.status == "succeeded"
    assert PromoCode.objects.filter(job=job).count() == 1000
    assert job.result["generated"] == 1000
    with catalog_storage().open(job.result["csv_file"], "rb") as stored:
        rows = list(csv.DictReader(io.StringIO(stored.read().decode("utf-8"))))
    assert sorted(row["code"] for row in rows) == sorted(
        PromoCode.objects.filter(job=job).values_list("code", flat=True)
    )


def test_the_command_generates_with_a_progress_bar(school, capsys):
    pool = PromoCodePoolFactory(school=school)

    call_command("generate_promo_codes", "--pool", pool.id, "--count", "300", "--prefix", "CMD")

    out, err = capsys.readouterr()
    assert PromoCode.objects.filter(pool=pool).count() == 300
    assert "300 codes in pool" in out
    assert "300/300" in err


def test_the_admin_action_queues_a_generation(
    staff_client, school, eager, django_capture_on_commit_callbacks
):
    pool = PromoCodePoolFactory(school=school)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            "/admin/commerce/promocodepool/",
            {
                "action": "generate_codes",
                "_selected_action": [pool.pk],
                "count": "40",
                "max_uses": "1",
                "prefix": "ADM",
            },
        )

    assert response.status_code == 302
    job = Job.objects.get()
    assert (job.status, job.error) == ("succeeded", "")
    assert PromoCode.objects.filter(pool=pool, code__startswith="ADM").count() == 40
