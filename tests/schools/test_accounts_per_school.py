"""Accounts are per school: what one school does never reads, changes, revokes or reveals
another school's account with the same e-mail (the attack chains of a shared person), and
the login hardening that belongs with accounts."""

import re
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.utils import timezone
from freezegun import freeze_time

from apps.core.email_identity import email_key
from apps.core.throttling import AuthRateThrottle
from apps.schools.models import ApiKey, Domain, LoginToken, Member, User
from apps.schools.services.people import user_create
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client

pytestmark = pytest.mark.django_db

CEO = "ceo@bigcorp.test"
PLANTED = "planted by school A"
REAL = "the real passphrase"


def login(client, email: str, password: str, **extra):
    body = {"email": email, "password": password, **extra}
    return client.post("/api/v1/auth/token", body, content_type="application/json")


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test")


@pytest.fixture
def other_domain(other_school) -> Domain:
    return Domain.objects.create(school=other_school, name="learn.beta.test")


# --- the chains of a shared person ----------------------------------------------------------


def test_a_password_planted_by_one_school_does_not_open_another_school_account(
    api_client, other_api_client, client
):
    # given: school A (alpha) creates the e-mail first, with a password of its choosing
    planted = api_client.post(
        "/api/v1/users", {"email": CEO, "password": PLANTED}, format="json"
    ).json()

    # when: school B (beta) adds the same e-mail, with the person's own password
    created = other_api_client.post(
        "/api/v1/users", {"email": CEO, "password": REAL}, format="json"
    )
    with_planted = login(client, CEO, PLANTED, school="beta")
    with_real = login(client, CEO, REAL)

    # then: B has an account of its own; A's password opens only A's account
    assert created.status_code == 201
    assert created.json()["id"] != planted["id"]
    assert with_planted.status_code == 401
    assert with_real.status_code == 200
    me = make_client(with_real.json()["access_token"]).get("/api/v1/me").json()
    assert (me["school"]["slug"], me["user"]["id"]) == ("beta", created.json()["id"])


def test_a_staff_password_of_one_school_does_not_open_another_school_admin(school, other_school):
    # given: the same e-mail is staff in both schools, each with its own password
    mine, _ = user_create(school=school, email=CEO, password=PLANTED, role=Member.Role.ADMIN)
    theirs, _ = user_create(school=other_school, email=CEO, password=REAL, role=Member.Role.ADMIN)
    User.objects.filter(pk__in=[mine.user_id, theirs.user_id]).update(is_staff=True)
    client = Client()

    # when
    client.post("/admin/login/", {"username": CEO, "password": PLANTED})
    page = client.get("/admin/schools/member/")

    # then: signed in to A's account, which sees A's users only
    assert page.status_code == 200
    assert client.session["_auth_user_id"] == mine.user_id
    assert theirs.user_id not in page.content.decode()


def test_revoking_tokens_in_one_school_leaves_another_school_account_signed_in(
    api_client, other_school, domain
):
    # given: B's account is signed in
    theirs, _ = user_create(school=other_school, email=CEO, password=REAL)
    theirs_client = make_client(tokens_issue(member=theirs).access_token)
    # and A adds the e-mail to its domain, signs in with the login token, revokes all
    token = api_client.post(
        "/api/v1/domains/learn.alpha.test/users", {"user": {"email": CEO}}, format="json"
    ).json()["login_token"]
    pair = Client().post(
        "/api/v1/auth/login-token", {"login_token": token}, content_type="application/json"
    )
    revoked = make_client(pair.json()["access_token"]).post("/api/v1/auth/token/revoke")

    # when
    response = theirs_client.get("/api/v1/me")

    # then
    assert revoked.status_code == 204
    assert response.status_code == 200
    assert User.objects.get(pk=theirs.user_id).token_generation == 0


def test_another_school_adding_the_email_does_not_break_login_without_a_slug(
    other_school, api_client, client
):
    # given: B's account signs in without naming its school
    user_create(school=other_school, email=CEO, password=REAL)
    before = login(client, CEO, REAL)

    # when: A adds the e-mail (with or without a password of its own)
    api_client.post("/api/v1/users", {"email": CEO, "password": PLANTED}, format="json")
    after = login(client, CEO, REAL)

    # then
    assert before.status_code == after.status_code == 200


def test_creating_an_email_of_another_school_reveals_nothing(api_client, other_school):
    # given
    user_create(school=other_school, email=CEO, first_name="Secret", last_name="Name")
    fresh = api_client.post("/api/v1/users", {"email": "new@bigcorp.test"}, format="json")

    # when
    known = api_client.post("/api/v1/users", {"email": CEO}, format="json")

    # then: the same answer as for an e-mail nobody has
    assert known.status_code == fresh.status_code == 201
    assert known.json().keys() == fresh.json().keys()
    assert (known.json()["first_name"], known.json()["last_name"]) == ("", "")
    assert "Secret" not in known.content.decode()


@pytest.mark.parametrize(
    "change",
    [{"email": "renamed@bigcorp.test"}, {"last_name": "Renamed"}, {"password": "a new passphrase"}],
    ids=["email", "name", "password"],
)
def test_a_school_changes_its_own_account_whatever_other_schools_have(
    api_client, school, other_school, change
):
    # given
    mine, _ = user_create(school=school, email=CEO)
    theirs, _ = user_create(school=other_school, email=CEO, password=REAL)
    before = User.objects.filter(pk=theirs.user_id).values().get()

    # when
    response = api_client.patch(f"/api/v1/users/{mine.user_id}", change, format="json")

    # then
    assert response.status_code == 200, response.content
    assert User.objects.filter(pk=theirs.user_id).values().get() == before


def test_anonymizing_erases_the_whole_account_even_if_the_email_exists_elsewhere(
    api_client, school, other_school
):
    # given
    mine, _ = user_create(school=school, email=CEO, first_name="Ada")
    theirs, _ = user_create(school=other_school, email=CEO, first_name="Ada")

    # when
    response = api_client.post(f"/api/v1/users/{mine.user_id}/anonymize")

    # then
    assert response.status_code == 200
    assert response.json()["email"] != CEO
    assert response.json()["first_name"] == ""
    assert User.objects.get(pk=theirs.user_id).email == CEO


def test_suspending_in_one_school_leaves_the_other_school_account_alone(
    api_client, other_school, school, client
):
    # given
    mine, _ = user_create(school=school, email=CEO, password=REAL)
    user_create(school=other_school, email=CEO, password=REAL)

    # when
    api_client.put(f"/api/v1/users/{mine.user_id}/suspend")

    # then
    assert login(client, CEO, REAL, school="alpha").status_code == 403
    assert login(client, CEO, REAL, school="beta").status_code == 200


def test_create_api_key_and_import_of_one_school_never_touch_another_school(
    tmp_path, school, other_school, domain
):
    # given
    theirs, _ = user_create(school=other_school, email=CEO, first_name="Theirs", password=REAL)
    before = User.objects.filter(pk=theirs.user_id).values().get()
    csv = tmp_path / "people.csv"
    csv.write_text(f"email,first_name\n{CEO},Mine\n", encoding="utf-8")

    # when
    call_command(
        "create_api_key", "--school", "alpha", "--name", "ops", stdout=open("/dev/null", "w")
    )
    quiet = {"stdout": open("/dev/null", "w"), "stderr": open("/dev/null", "w")}
    call_command("import_users", str(csv), "--school", "alpha", "--domain", domain.name, **quiet)

    # then
    assert User.objects.filter(pk=theirs.user_id).values().get() == before
    mine = User.objects.get(school=school, email_key=CEO)
    assert mine.first_name == "Mine"
    assert mine.pk != theirs.user_id
    assert ApiKey.objects.filter(school=other_school).count() == 0


def test_the_admin_add_user_form_of_one_school_makes_an_account_of_that_school(
    school, other_school
):
    # given
    staff, _ = user_create(school=school, email="staff@alpha.test", password=REAL, role="admin")
    User.objects.filter(pk=staff.user_id).update(is_staff=True)
    theirs, _ = user_create(school=other_school, email=CEO, first_name="Theirs")
    client = Client()
    assert client.login(email="staff@alpha.test", password=REAL)

    # when
    response = client.post(
        "/admin/schools/member/add/", {"email": CEO, "first_name": "Mine", "role": "learner"}
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    mine = Member.objects.select_related("user").get(school=school, user__email_key=CEO)
    assert (mine.user.school_id, mine.user.first_name) == (school.id, "Mine")
    assert User.objects.get(pk=theirs.user_id).first_name == "Theirs"


# --- the admin's sign-in ---------------------------------------------------------------------


def test_admin_login_asks_for_the_school_only_when_the_password_fits_several(school, other_school):
    # given: one person is staff of two schools, with one password
    for target in (school, other_school):
        member, _ = user_create(school=target, email=CEO, password=REAL, role="admin")
        User.objects.filter(pk=member.user_id).update(is_staff=True)
    client = Client()

    # when
    asked = client.post("/admin/login/", {"username": CEO, "password": REAL})
    chosen = client.post("/admin/login/", {"username": CEO, "password": REAL, "school": "beta"})

    # then
    page = asked.content.decode()
    assert asked.status_code == 200
    assert "choose the school" in page
    assert re.search(r'<select name="school"', page)
    assert "Alpha Academy" in page
    assert "Beta Institute" in page
    assert chosen.status_code == 302
    assert client.session["_auth_user_id"] == User.objects.get(school=other_school).pk


def test_admin_login_hides_the_school_field_for_one_account(school, other_school):
    # given: the e-mail is staff in A; B's account has another password
    member, _ = user_create(school=school, email=CEO, password=REAL, role="admin")
    User.objects.filter(pk=member.user_id).update(is_staff=True)
    user_create(school=other_school, email=CEO, password=PLANTED)

    # when
    page = Client().get("/admin/login/").content.decode()
    wrong = Client().post("/admin/login/", {"username": CEO, "password": "wrong"})

    # then: nothing tells a stranger which schools have the e-mail
    assert 'type="hidden" name="school"' in page
    assert "Beta Institute" not in wrong.content.decode()
    assert "choose the school" not in wrong.content.decode()


def test_admin_login_is_rate_limited(settings, school):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth": 3}
    member, _ = user_create(school=school, email=CEO, password=REAL, role="admin")
    User.objects.filter(pk=member.user_id).update(is_staff=True)
    client = Client()

    # when
    for _ in range(3):
        client.post("/admin/login/", {"username": CEO, "password": "wrong"})
    limited = client.post("/admin/login/", {"username": CEO, "password": REAL})

    # then
    assert limited.status_code == 200
    assert "Too many sign-in attempts" in limited.content.decode()
    assert "_auth_user_id" not in client.session


def test_createsuperuser_makes_an_operator_of_no_school(school):
    # given: a school already has an account with the e-mail
    user_create(school=school, email="root@lyceum.test")

    # when
    call_command(
        "createsuperuser", "--noinput", "--email", "root@lyceum.test", stdout=open("/dev/null", "w")
    )

    # then
    operator = User.objects.get(school__isnull=True, email_key="root@lyceum.test")
    assert operator.is_superuser
    assert operator.is_staff
    assert User.objects.filter(email_key="root@lyceum.test").count() == 2


# --- e-mail identity -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        "ada@ｅｘａｍｐｌｅ.com",
        "ADA@Example.COM",
        "ａｄａ@example.com",
    ],
    ids=["fullwidth-domain", "upper-case", "fullwidth-local"],
)
def test_look_alike_spellings_of_one_mailbox_are_one_account(api_client, spelling):
    # given
    first = api_client.post("/api/v1/users", {"email": "ada@example.com"}, format="json")

    # when
    again = api_client.post("/api/v1/users", {"email": spelling}, format="json")

    # then
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize(
    "spelling",
    ["ada@xn--exmple-qta.com", "ada@exa\u0301mple.com", "ada@EXÁMPLE.com"],
    ids=["punycode", "decomposed", "upper-case-accent"],
)
def test_an_internationalised_domain_is_one_account_however_spelled(api_client, spelling):
    # given
    first = api_client.post("/api/v1/users", {"email": "ada@exámple.com"}, format="json")

    # when
    again = api_client.post("/api/v1/users", {"email": spelling}, format="json")

    # then
    assert first.json()["email"] == "ada@xn--exmple-qta.com"
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("char", ["\u200b", "\u00ad", "\u200d", "\ufeff"])
def test_invisible_characters_in_an_email_are_400(api_client, char):
    # when
    response = api_client.post("/api/v1/users", {"email": f"ada@exam{char}ple.com"}, format="json")

    # then
    assert response.status_code == 400
    assert "invisible" in response.json()["errors"]["email"][0]
    assert not User.objects.exists()


def test_long_s_signs_in_as_the_same_account_and_shares_its_rate_limit(school, client):
    # given
    user_create(school=school, email="staff@alpha.test", password=REAL)

    # when
    long_s = login(client, "ſtaff@alpha.test", REAL)
    throttle = AuthRateThrottle()
    request = RequestFactory().post("/api/v1/auth/token")
    buckets = [
        throttle.buckets(request, type("V", (), {"throttle_account": lambda self, r, e=e: e})())
        for e in (
            f"alpha/{email_key('ſtaff@alpha.test')}",
            f"alpha/{email_key('STAFF@alpha.test')}",
        )
    ]

    # then
    assert long_s.status_code == 200
    assert buckets[0] == buckets[1]


def test_a_unique_constraint_keeps_one_account_per_email_and_school(school):
    # given
    user_create(school=school, email="ada@example.com")

    # when / then: even written past the services, the database refuses a second row
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(school=school, email="ADA@ｅｘａｍｐｌｅ.com")


# --- login tokens ----------------------------------------------------------------------------


def _login_token(api_client, email: str = CEO) -> str:
    response = api_client.post(
        "/api/v1/domains/learn.alpha.test/users", {"user": {"email": email}}, format="json"
    )
    return response.json()["login_token"]


def _exchange(token: str):
    return Client().post(
        "/api/v1/auth/login-token", {"login_token": token}, content_type="application/json"
    )


def test_a_login_token_works_once_even_within_the_same_second(api_client, domain):
    # given
    with freeze_time("2026-11-29T10:00:00.100Z"):
        token = _login_token(api_client)

    # when
    with freeze_time("2026-11-29T10:00:00.200Z"):
        first = _exchange(token)
    with freeze_time("2026-11-29T10:00:00.300Z"):
        second = _exchange(token)

    # then
    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["code"] == "login_token_invalid"


def test_signing_in_with_a_login_token_spends_the_other_tokens_of_the_account(api_client, domain):
    # given: two tokens issued in the same second
    with freeze_time("2026-11-29T10:00:00Z"):
        one = _login_token(api_client)
        other = api_client.post(
            "/api/v1/domains/learn.alpha.test/users", {"user": {"email": CEO}}, format="json"
        )
    member = Member.objects.get(user__email_key=CEO)
    from apps.schools.login_tokens import login_token_make

    with freeze_time("2026-11-29T10:00:00Z"):
        two = login_token_make(member=member)

    # when
    with freeze_time("2026-11-29T10:00:00.5Z"):
        used = _exchange(one)
        again = _exchange(two)

    # then
    assert other.status_code == 200
    assert used.status_code == 200
    assert again.status_code == 400


def test_a_login_token_dated_in_the_future_is_refused(api_client, domain):
    # given: a token whose record says it was issued an hour from now
    token = _login_token(api_client)
    LoginToken.objects.update(created_at=timezone.now() + timedelta(hours=1))

    # when
    response = _exchange(token)

    # then
    assert response.status_code == 400


def test_an_expired_login_token_is_refused(api_client, domain):
    # given
    with freeze_time("2026-11-29T10:00:00Z"):
        token = _login_token(api_client)

    # when
    with freeze_time("2026-11-30T10:00:01Z"):
        response = _exchange(token)

    # then
    assert response.status_code == 400


def test_a_school_gets_login_tokens_only_for_its_own_accounts(api_client, domain):
    # given: a platform operator exists with this e-mail
    operator = User.objects.create_superuser("admin@lyceum.local", "operator passphrase")

    # when: a school adds that e-mail to its domain and signs in with the token
    response = _exchange(_login_token(api_client, "admin@lyceum.local"))
    me = make_client(response.json()["access_token"]).get("/api/v1/me").json()

    # then: the token names the school's own new account, never the operator
    assert response.status_code == 200
    assert me["user"]["id"] != operator.pk
    assert me["school"]["slug"] == "alpha"
    operator.refresh_from_db()
    assert operator.last_login is None


# --- rate limits per school account ----------------------------------------------------------


def test_guessing_in_one_school_does_not_spend_another_school_account_budget(
    settings, school, other_school, client
):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth": 3}
    user_create(school=school, email=CEO, password=REAL)
    user_create(school=other_school, email=CEO, password=REAL)
    for _ in range(3):
        login(client, CEO, "wrong", school="alpha")

    # when
    alpha = login(client, CEO, REAL, school="alpha")
    beta = login(client, CEO, REAL, school="beta")

    # then
    assert alpha.status_code == 429
    assert beta.status_code == 200


def test_failing_from_many_addresses_does_not_lock_the_owner_out(settings, school):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth": 3}
    user_create(school=school, email=CEO, password=REAL)
    for n in range(10):
        attacker = Client(REMOTE_ADDR=f"203.0.113.{n}")
        for _ in range(4):
            login(attacker, CEO, "wrong")

    # when
    owner = login(Client(REMOTE_ADDR="198.51.100.7"), CEO, REAL)

    # then
    assert owner.status_code == 200


def test_one_address_spraying_many_accounts_is_limited(settings, school):
    # given
    settings.LYCEUM_RATE_LIMITS = {**settings.LYCEUM_RATE_LIMITS, "auth_address": 5}
    sprayer = Client(REMOTE_ADDR="203.0.113.9")
    answers = [login(sprayer, f"person{n}@alpha.test", "guess").status_code for n in range(6)]

    # when
    elsewhere = login(Client(REMOTE_ADDR="198.51.100.7"), "person0@alpha.test", "guess")

    # then
    assert answers[:5] == [401] * 5
    assert answers[5] == 429
    assert elsewhere.status_code == 401


# --- concurrency (PostgreSQL: unique-index waits as in production) ---------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_of_one_email_in_one_school_give_one_account(api_key):
    # given: eight requests for one e-mail (spelled two ways), released at once
    secret = api_key[1]
    workers = 8
    barrier = threading.Barrier(workers)
    responses = []

    def send(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            email = "ada@example.com" if n % 2 else "ADA@ｅｘａｍｐｌｅ.com"
            responses.append(
                make_client(secret).post("/api/v1/users", {"email": email}, format="json")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(workers)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one 201, the others the same account (200); never a 500, never two rows
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * (workers - 1) + [201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert User.objects.filter(email_key="ada@example.com").count() == 1
