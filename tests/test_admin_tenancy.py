"""A school's staff see nothing of another school anywhere in the admin.

Logged in as a staff member of one school, the test walks every page the admin index links
to (each changelist with its filter sidebar and the filter links in it, add and change
forms, history and delete confirmations) and every autocomplete endpoint those forms use,
and looks in each answer for anything that names another school's rows: their ids, names,
labels, codes and the e-mails of its people. The other school holds one row of every
school-owned model, so a new model, admin, filter or autocomplete is covered from the
commit that adds it.
"""

import html
import re
from collections.abc import Callable, Iterable
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin import RelatedFieldListFilter
from django.contrib.admin.utils import quote
from django.db import models
from django.test import Client
from django.utils import timezone

from apps.core.admin import SchoolScopedAdmin
from apps.core.models import IdempotencyRecord
from apps.schools.login_tokens import login_token_make
from apps.schools.models import (
    AccessCode,
    AccessCodeRedemption,
    DomainUser,
    GroupCategory,
    LoginToken,
    Member,
    School,
    SignupFieldOption,
)
from apps.schools.services.access_codes import code_redeem
from apps.webhooks.models import Delivery, DeliveryAttempt
from tests.factories import (
    DomainUserFactory,
    GroupFactory,
    MemberFactory,
    UserFactory,
    create_owned,
    factory_for,
)

pytestmark = pytest.mark.django_db

# A walk this long means the crawler is looping (filter links of filter links); the admin
# of today needs a few hundred pages.
MAX_PAGES = 2000

# Values looked for: at least this long and not a bare word. Short values and bare words
# (defaults such as "Catalog", a first name from Faker) can be ordinary words of any page;
# ids, e-mails, domain names, codes and generated names ("Group 7") cannot.
MIN_TEXT = 5
BARE_WORD = re.compile(r"[A-Za-z]+")


def _redemption(school: School, **_: object) -> AccessCodeRedemption:
    code = create_owned(AccessCode, school=school)
    member = create_owned(Member, school=school)
    code_redeem(domain=code.domain, code=code.code, member=member)
    return AccessCodeRedemption.objects.get(code=code, member=member)


def _attempt(school: School, **_: object) -> DeliveryAttempt:
    delivery = create_owned(Delivery, school=school)
    return DeliveryAttempt.objects.create(
        school=school,
        delivery=delivery,
        number=1,
        outcome=DeliveryAttempt.Outcome.FAILED,
        started_at=timezone.now() - timedelta(minutes=1),
        request_url=delivery.target_url,
        status_code=500,
        response_body=f"receiver of {school.slug} failed",
        error="HTTP 500",
    )


def _login_token(school: School, **_: object) -> LoginToken:
    member = create_owned(Member, school=school)
    login_token_make(member=member)
    return LoginToken.objects.get(member=member)


def _idempotency_record(school: School, **_: object) -> IdempotencyRecord:
    return IdempotencyRecord.objects.create(
        school=school,
        credential=f"key:{school.slug}-credential",
        key=f"{school.slug}-idempotency-key",
        request_hash="0" * 64,
    )


# School-owned models that tests/factories.py has no factory for.
LOCAL_FACTORIES: dict[type[models.Model], Callable[..., models.Model]] = {
    AccessCodeRedemption: _redemption,
    DeliveryAttempt: _attempt,
    IdempotencyRecord: _idempotency_record,
    LoginToken: _login_token,
}


def school_owned_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if any(field.name == "school" and field.is_relation for field in model._meta.fields)
    ]


def populate(school: School) -> None:
    """One row of every school-owned model in ``school``, plus the links between them that
    the admin shows (a group in a category with a rule option)."""
    for model in school_owned_models():
        make = factory_for(model) or LOCAL_FACTORIES.get(model)
        assert make is not None, (
            f"No way to create a {model._meta.label} row: add a factory to tests/factories.py "
            "or to LOCAL_FACTORIES here."
        )
        make(school)
    category = create_owned(GroupCategory, school=school)
    option = create_owned(SignupFieldOption, school=school)
    group = GroupFactory(school=school, category=category, rule_enforce=True)
    group.rule_options.add(option)


def _text_values(row: models.Model) -> Iterable[str]:
    if isinstance(row.pk, str):
        yield row.pk
    for field in row._meta.concrete_fields:
        if field.is_relation or field.choices or field.primary_key:
            continue
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(row, field.attname)
            if isinstance(value, str):
                yield value


def _people(school: School) -> set[models.Model]:
    """The accounts that rows of ``school`` point at."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found: set[models.Model] = set()
    for model in school_owned_models():
        fields = [
            field.name
            for field in model._meta.fields
            if field.is_relation and field.related_model is user_model
        ]
        for row in model.objects.filter(school=school).select_related(*fields):
            found.update(getattr(row, name) for name in fields if getattr(row, name) is not None)
    return found


def identifying_strings(theirs: School, ours: School) -> set[str]:
    """Ids, names, labels, codes and e-mails only ``theirs`` has."""

    def values_of(school: School) -> set[str]:
        values = set(_text_values(school))
        for model in school_owned_models():
            for row in model.objects.filter(school=school):
                values.update(_text_values(row))
        for person in _people(school):
            values.update(_text_values(person))
        return values

    shared = values_of(ours)
    return {
        value
        for value in values_of(theirs) - shared
        if len(value) >= MIN_TEXT and not BARE_WORD.fullmatch(value)
    }


class LeakFinder:
    """Finds any of a set of strings in a response, as whole words, raw or HTML-escaped."""

    def __init__(self, secrets: set[str]) -> None:
        # Ids also appear quoted in admin URLs ("dom_01…" as "dom_5F01…").
        forms = {
            form for secret in secrets for form in (secret, html.escape(secret), quote(secret))
        }
        alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        self.pattern = re.compile(rf"(?<![\w.@-])(?:{alternatives})(?![\w@-])")

    def leaks(self, content: bytes) -> list[str]:
        return sorted(set(self.pattern.findall(content.decode())))


HREF = re.compile(r'href="([^"#]*)"')
AUTOCOMPLETE = re.compile(
    r'data-app-label="([^"]+)"\s+data-model-name="([^"]+)"\s+data-field-name="([^"]+)"'
)


def _is_followed(url: str, came_from: str) -> bool:
    path = urlsplit(url).path
    if path in ("/admin/logout/", "/admin/password_change/") or path.startswith("/admin/r/"):
        return False
    # Follow the filter and sort links of a page, not the links on those (their combinations).
    return not (urlsplit(url).query and urlsplit(came_from).query)


def walk_admin(client: Client) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every admin page reachable from the index, and every autocomplete they use."""
    pages: dict[str, bytes] = {}
    autocompletes: dict[str, bytes] = {}
    queue = [("/admin/", "/admin/")]
    while queue:
        url, came_from = queue.pop(0)
        if url in pages:
            continue
        assert len(pages) < MAX_PAGES, "the admin walk does not end"
        response = client.get(url)
        # A member's page links to their platform account, which staff may not open: a 403
        # refuses without showing anything (its body is checked like every other).
        assert response.status_code in (200, 302, 403), (url, came_from, response.status_code)
        pages[url] = response.content
        if response.status_code != 200:
            continue
        text = response.content.decode()
        for href in HREF.findall(text):
            # Filter and sort links are relative ("?domain__id__exact=…").
            href = urljoin(url, html.unescape(href))
            if href.startswith("/admin/") and href not in pages and _is_followed(href, url):
                queue.append((href, url))
        for app_label, model_name, field_name in AUTOCOMPLETE.findall(text):
            query = {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": "",
            }
            search = f"/admin/autocomplete/?{urlencode(query)}"
            if search not in autocompletes:
                answer = client.get(search)
                assert answer.status_code == 200, (search, answer.status_code)
                autocompletes[search] = answer.content
    return pages, autocompletes


def _changelists(pages: dict[str, bytes]) -> set[str]:
    return {url for url in pages if re.fullmatch(r"/admin/\w+/\w+/", url)}


@pytest.fixture
def two_populated_schools(school, other_school) -> LeakFinder:
    """Both schools hold every kind of row; the finder looks for the other school's."""
    populate(school)
    populate(other_school)
    return LeakFinder(identifying_strings(other_school, school))


def test_staff_admin_shows_nothing_of_another_school(staff_client, two_populated_schools):
    # when
    pages, autocompletes = walk_admin(staff_client)

    # then: every school-owned admin was walked, filters and forms included
    expected = {
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SchoolScopedAdmin)
    }
    assert expected <= _changelists(pages)
    assert any("domain__id__exact=" in urlsplit(url).query for url in pages)
    assert any("category__id__exact=" in urlsplit(url).query for url in pages)
    assert any(re.fullmatch(r"/admin/schools/group/grp_\w+/change/", url) for url in pages)
    assert any(
        dict(parse_qsl(urlsplit(url).query))["field_name"] == "category" for url in autocompletes
    )
    # and nothing in any answer names a row of the other school
    leaks = {
        url: found
        for url, content in {**pages, **autocompletes}.items()
        if (found := two_populated_schools.leaks(content))
    }
    assert leaks == {}


def test_leak_finder_sees_another_school_in_a_filter_sidebar(
    operator_client, two_populated_schools, other_school
):
    # given: the operator rightly sees every school, so the finder must find the other one
    domain = other_school_row(other_school, "schools.Domain")

    # when
    page = operator_client.get("/admin/schools/domainuser/")

    # then
    assert domain.pk in two_populated_schools.leaks(page.content)
    assert domain.name in two_populated_schools.leaks(page.content)


def other_school_row(school: School, label: str) -> models.Model:
    return apps.get_model(label).objects.filter(school=school).first()


def test_filters_across_relations_and_explicit_classes_stay_in_the_school(rf, school, other_school):
    # given: an admin whose filters Django would fill from every school
    class NamedDomainUserAdmin(SchoolScopedAdmin):
        list_filter = ["domain__name", ("domain", RelatedFieldListFilter)]

    ours = [DomainUserFactory(school=school).domain for _ in range(2)]
    DomainUserFactory(school=other_school)
    staff = MemberFactory(school=school, role=Member.Role.ADMIN, user=UserFactory(is_staff=True))
    request = rf.get("/admin/schools/domainuser/")
    request.user = staff.user

    # when
    changelist = NamedDomainUserAdmin(DomainUser, admin.site).get_changelist_instance(request)

    # then
    by_name, by_domain = changelist.filter_specs
    assert sorted(by_name.lookup_choices) == sorted(domain.name for domain in ours)
    assert sorted(pk for pk, _ in by_domain.lookup_choices) == sorted(d.pk for d in ours)
