"""Every write of the admin goes through a service: the API's rules (validation, uniqueness,
tenancy) and its events hold, and a refusal is shown on the form, never as a 500."""

from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from apps.core.admin import ServiceAdminMixin
from apps.core.errors import InvalidInput
from apps.core.models import Event
from apps.schools.admin.people import TagAdmin
from apps.schools.models import ApiKey, Domain, Member, School, Tag, User
from apps.schools.services import access_codes, domains
from apps.schools.services import people as people_services
from apps.schools.services import schools as schools_services
from apps.schools.tokens import tokens_issue
from tests.conftest import admin_inline_data, make_client
from tests.factories import (
    DomainFactory,
    DomainUserFactory,
    MemberFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _form_errors(response) -> list[str]:
    """Every error the re-shown admin form carries (fields and the whole form)."""
    assert response.status_code == 200, response.content[:1000]
    form = response.context["adminform"].form
    return [str(error) for errors in form.errors.values() for error in errors]


def _domain_data(domain_name: str, **fields) -> dict:
    return {
        "name": domain_name,
        "catalog_title": "",
        "access": "PUBLIC",
        "access_code_message_html": "",
        "marketing_message": "",
        **fields,
    }


# --- tags ------------------------------------------------------------------------------------


def test_adding_a_tag_the_school_has_is_a_form_error(staff_client, school, other_school):
    # given
    TagFactory(school=school, name="vip")
    TagFactory(school=other_school, name="gold")

    # when
    taken = staff_client.post("/admin/schools/tag/add/", {"name": "vip"})
    elsewhere = staff_client.post("/admin/schools/tag/add/", {"name": "gold"})

    # then
    assert any("already has the tag" in error for error in _form_errors(taken))
    assert elsewhere.status_code == 302
    assert Tag.objects.filter(school=school, name="gold").exists()
    assert Tag.objects.filter(name="vip").count() == 1


def test_renaming_a_tag_announces_its_holders(staff_client, school):
    # given
    tag = TagFactory(school=school, name="vip")
    holder = MemberFactory(school=school, tags=[tag])
    MemberFactory(school=school, tags=[])

    # when
    response = staff_client.post(f"/admin/schools/tag/{tag.pk}/change/", {"name": "gold"})

    # then
    assert response.status_code == 302
    event = Event.objects.get(type="user.updated")
    assert event.payload["id"] == holder.user_id
    assert event.payload["tags"] == ["gold"]


def test_staff_cannot_rename_another_schools_tag(staff_client, other_school):
    # given
    theirs = TagFactory(school=other_school, name="vip")

    # when
    staff_client.post(f"/admin/schools/tag/{theirs.pk}/change/", {"name": "mine now"})

    # then
    theirs.refresh_from_db()
    assert theirs.name == "vip"


# --- domains and their users -----------------------------------------------------------------


def test_adding_a_domain_goes_through_domain_create(staff_client, school):
    # when
    with mock.patch.object(domains, "domain_create", wraps=domains.domain_create) as service:
        response = staff_client.post(
            "/admin/schools/domain/add/",
            {**_domain_data("learn.alpha.test"), **admin_inline_data("domain_users", [])},
        )

    # then
    assert response.status_code == 302, response.content[:2000]
    service.assert_called_once()
    assert Domain.objects.get(name="learn.alpha.test").school == school


def test_changing_a_domain_goes_through_domain_update(staff_client, school):
    # given
    domain = DomainFactory(school=school, catalog_title="Old")

    # when
    with mock.patch.object(domains, "domain_update", wraps=domains.domain_update) as service:
        response = staff_client.post(
            f"/admin/schools/domain/{domain.pk}/change/",
            {
                **_domain_data(domain.name, catalog_title="New"),
                **admin_inline_data("domain_users", []),
            },
        )

    # then
    assert response.status_code == 302, response.content[:2000]
    service.assert_called_once()
    domain.refresh_from_db()
    assert domain.catalog_title == "New"


def test_domain_users_inline_cannot_delete_and_deactivates_through_the_service(
    staff_client, school
):
    # given
    domain_user = DomainUserFactory(school=school, active=True)
    domain = domain_user.domain
    row = {"id": domain_user.pk, "domain": domain.pk, "member": domain_user.member_id}

    # when
    deleting = staff_client.post(
        f"/admin/schools/domain/{domain.pk}/change/",
        {
            **_domain_data(domain.name),
            **admin_inline_data("domain_users", [{**row, "active": "on", "DELETE": "on"}], 1),
        },
    )
    deactivating = staff_client.post(
        f"/admin/schools/domain/{domain.pk}/change/",
        {**_domain_data(domain.name), **admin_inline_data("domain_users", [row], 1)},
    )

    # then
    assert deleting.status_code == 302, deleting.content[:2000]
    assert deactivating.status_code == 302, deactivating.content[:2000]
    domain_user.refresh_from_db()
    assert domain_user.active is False
    updated = Event.objects.get(type="domain.enrollment.updated")
    assert updated.payload["active"] is False


def test_marketing_optin_change_in_the_admin_is_announced(staff_client, school):
    # given
    domain_user = DomainUserFactory(school=school, marketing_optin=None)

    # when
    response = staff_client.post(
        f"/admin/schools/domainuser/{domain_user.pk}/change/",
        {"active": "on", "marketing_optin": "true", "expires_at_0": "", "expires_at_1": ""},
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    domain_user.refresh_from_db()
    assert domain_user.marketing_optin is True
    updated = Event.objects.get(type="domain.enrollment.updated")
    assert updated.payload["marketing_optin"] is True


def test_a_refused_inline_row_undoes_the_whole_save_and_is_shown(staff_client, school):
    # given: a code already on the domain
    domain = DomainFactory(school=school)
    pool = access_codes.pool_create(domain=domain, name="Partners")
    access_codes.code_create(pool=pool, code="PARTNER1")

    # when: the pool is renamed and a second code with the same text is added inline
    response = staff_client.post(
        f"/admin/schools/accesscodepool/{pool.pk}/change/",
        {
            "domain": domain.pk,
            "name": "Renamed",
            "active": "on",
            **admin_inline_data(
                "codes", [{"code": "PARTNER1", "active": "on", "duration_unit": "MONTHS"}]
            ),
        },
    )

    # then: the form says why, and neither the rename nor the code was kept
    assert "The code 'PARTNER1' already exists on this domain." in _form_errors(response)
    pool.refresh_from_db()
    assert pool.name == "Partners"
    assert pool.codes.count() == 1


def test_adding_a_member_with_a_taken_external_id_is_a_form_error(staff_client, school):
    # given
    MemberFactory(school=school, external_id="crm-1")

    # when
    response = staff_client.post(
        "/admin/schools/member/add/",
        {"email": "new@example.test", "role": "learner", "external_id": "crm-1"},
    )

    # then
    assert "Another user of this school has this external_id." in _form_errors(response)
    assert not User.objects.filter(email="new@example.test").exists()
    assert not Event.objects.filter(type="user.created").exists()


# --- API keys --------------------------------------------------------------------------------


def test_renaming_an_api_key_goes_through_the_service(staff_client, school):
    # given
    key, _secret = schools_services.api_key_create(school=school, name="CI")

    # when
    refused = staff_client.post(f"/admin/schools/apikey/{key.pk}/change/", {"name": "C\x07I"})
    renamed = staff_client.post(f"/admin/schools/apikey/{key.pk}/change/", {"name": "Deploys"})

    # then
    assert _form_errors(refused)
    assert renamed.status_code == 302
    key.refresh_from_db()
    assert key.name == "Deploys"


def test_staff_cannot_rename_another_schools_key(staff_client, other_school):
    # given
    theirs, _secret = schools_services.api_key_create(school=other_school, name="Theirs")

    # when
    staff_client.post(f"/admin/schools/apikey/{theirs.pk}/change/", {"name": "Mine"})

    # then
    assert ApiKey.objects.get(pk=theirs.pk).name == "Theirs"


# --- schools and accounts (the operator's) ---------------------------------------------------


def test_school_slug_change_moves_its_sandbox_and_refuses_a_sandbox_slug(operator_client, school):
    # given
    sandbox = schools_services.school_sandbox(school=school)
    form = {"name": school.name, "is_active": "on"}

    # when
    refused = operator_client.post(
        f"/admin/schools/school/{school.pk}/change/", {**form, "slug": "gamma--sandbox"}
    )
    moved = operator_client.post(
        f"/admin/schools/school/{school.pk}/change/", {**form, "slug": "gamma"}
    )

    # then
    assert any("sandboxes" in error for error in _form_errors(refused))
    assert moved.status_code == 302, moved.content[:2000]
    sandbox.refresh_from_db()
    assert sandbox.slug == "gamma--sandbox"
    assert School.objects.get(pk=school.pk).slug == "gamma"


def test_operator_email_change_of_a_schools_account_is_announced(operator_client, school):
    # given
    member = MemberFactory(school=school, user=UserFactory(email="old@alpha.test"))
    MemberFactory(school=school, user=UserFactory(email="taken@alpha.test"))
    form = {"first_name": "", "last_name": "", "is_active": "on"}

    # when
    taken = operator_client.post(
        f"/admin/schools/user/{member.user_id}/change/", {**form, "email": "TAKEN@alpha.test"}
    )
    changed = operator_client.post(
        f"/admin/schools/user/{member.user_id}/change/", {**form, "email": "new@alpha.test"}
    )

    # then
    assert any("e-mail" in error for error in _form_errors(taken))
    assert changed.status_code == 302, changed.content[:2000]
    event = Event.objects.get(type="user.updated")
    assert event.payload["email"] == "new@alpha.test"


def test_operator_switching_an_account_off_revokes_its_tokens(operator_client, learner):
    # given
    access = tokens_issue(member=learner).access_token
    user = learner.user

    # when
    response = operator_client.post(
        f"/admin/schools/user/{user.pk}/change/",
        {"email": user.email, "first_name": user.first_name, "last_name": user.last_name},
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=user.pk).is_active is False
    assert make_client(access).get("/api/v1/me").status_code == 401


def test_operator_added_in_the_admin_is_an_operator(operator_client):
    # when
    response = operator_client.post(
        "/admin/schools/user/add/",
        {
            "email": "Ops@Example.test",
            "password1": "a long operator passphrase",
            "password2": "a long operator passphrase",
            "usable_password": "true",
        },
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    operator = User.objects.get(email_key="ops@example.test")
    assert operator.school is None
    assert operator.is_staff
    assert operator.is_superuser


def test_operator_setting_a_schools_account_password_is_announced(operator_client, learner):
    # when
    response = operator_client.post(
        f"/admin/schools/user/{learner.user_id}/password/",
        {
            "password1": "a brand new passphrase",
            "password2": "a brand new passphrase",
            "usable_password": "true",
        },
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    assert User.objects.get(pk=learner.user_id).check_password("a brand new passphrase")
    assert Event.objects.get(type="user.updated").payload["id"] == learner.user_id


def test_a_refused_action_is_undone_and_reported(rf, staff, school):
    # given: an action that renames through the service, then is refused
    tag = TagFactory(school=school, name="vip")

    class RefusingTagAdmin(TagAdmin):
        actions = ["rename_then_refuse"]

        @admin.action(description="Rename, then refuse")
        def rename_then_refuse(self, request, queryset) -> None:
            for each in queryset:
                people_services.tag_rename(tag=each, name="gold")
            raise InvalidInput("Refused.")

    model_admin = RefusingTagAdmin(Tag, admin.AdminSite())
    request = rf.post(
        "/admin/schools/tag/", {"action": "rename_then_refuse", "_selected_action": [tag.pk]}
    )
    request.user, request.session = staff.user, {}
    request._messages = FallbackStorage(request)

    # when
    response = model_admin.response_action(request, model_admin.get_queryset(request))

    # then
    assert response.status_code == 302
    tag.refresh_from_db()
    assert tag.name == "vip"
    assert not Event.objects.filter(type="user.updated").exists()
    assert [str(m) for m in request._messages] == ["Refused."]


# --- every admin -----------------------------------------------------------------------------


def _requests(staff: Member) -> list:
    """A POST by an operator and one by a school's staff, as the admin's checks see them."""
    factory = RequestFactory()
    operator = UserFactory(school=None, is_staff=True, is_superuser=True)
    requests = []
    for user in (operator, staff.user):
        request = factory.post("/admin/")
        request.user = user
        requests.append(request)
    return requests


def test_every_admin_that_writes_does_so_through_services(staff):
    # given
    requests = _requests(staff)

    # when
    bypassing = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        adds = any(model_admin.has_add_permission(r) for r in requests)
        changes = any(model_admin.has_change_permission(r) for r in requests)
        deletes = any(model_admin.has_delete_permission(r) for r in requests)
        if not (adds or changes or deletes):
            continue  # read-only for everyone: writes nothing
        if not isinstance(model_admin, ServiceAdminMixin):
            bypassing.append(f"{label}: not a ServiceAdminMixin")
            continue
        if (adds or changes) and not model_admin.saves_through_service():
            bypassing.append(f"{label}: saves without a service")
        if deletes and not model_admin.deletes_through_service():
            bypassing.append(f"{label}: deletes without a service")
        inlines = model_admin.get_inline_instances(requests[0])
        if (
            (adds or changes)
            and inlines
            and type(model_admin).save_formset is ServiceAdminMixin.save_formset
        ):
            bypassing.append(f"{label}: saves its inlines without a service")

    # then
    assert bypassing == []


def test_an_admin_without_a_service_save_offers_no_add_or_change(staff):
    # given
    class NoServiceAdmin(ServiceAdminMixin, admin.ModelAdmin):
        pass

    model_admin = NoServiceAdmin(Tag, admin.site)
    request = _requests(staff)[0]

    # when / then
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
