"""A school's staff use the admin in a real browser and stay inside their school."""

import pytest

from apps.core.models import Event
from apps.schools.models import ApiKey, Member
from apps.schools.services.schools import api_key_create
from tests.e2e.pages import AdminSite
from tests.factories import DEFAULT_PASSWORD, MemberFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(school) -> Member:
    """An admin of Alpha Academy who may log in to the admin."""
    return MemberFactory(
        school=school,
        role=Member.Role.ADMIN,
        user=UserFactory(email="staff@alpha.test", is_staff=True),
    )


@pytest.fixture
def admin_site(page, staff) -> AdminSite:
    site = AdminSite(page)
    site.login(staff.user.email, DEFAULT_PASSWORD)
    return site


def test_admin_header_offers_no_link_to_a_missing_site(admin_site) -> None:
    # given a logged-in staff member on the admin index
    header = admin_site.page.locator("#user-tools")

    # when they read the header links
    links = [text.strip().lower() for text in header.locator("a").all_inner_texts()]

    # then there is no "View site" (Lyceum serves nothing at "/"), but the password link
    assert "view site" not in links
    assert "change password" in links


def test_staff_sees_only_their_school_users(admin_site, school, other_school, tmp_path) -> None:
    # given a learner in each school
    MemberFactory(school=school, user=UserFactory(email="ada@alpha.test"))
    MemberFactory(school=other_school, user=UserFactory(email="bob@beta.test"))

    # when the staff member opens the users list
    users = admin_site.changelist("schools", "member")
    admin_site.page.screenshot(path=str(tmp_path / "members.png"), full_page=True)

    # then only their school's people are listed, and no school filter is offered
    listed = " ".join(users.row_texts())
    assert "ada@alpha.test" in listed
    assert "staff@alpha.test" in listed
    assert "bob@beta.test" not in listed
    assert users.filter_choices("school") == []


def test_staff_sees_only_their_school_api_keys(admin_site, school, other_school) -> None:
    # given an API key in each school
    api_key_create(school=school, name="Alpha LMS sync")
    api_key_create(school=other_school, name="Beta reporting")

    # when the staff member opens the API keys list
    keys = admin_site.changelist("schools", "apikey")

    # then only their school's key is there
    listed = " ".join(keys.row_texts())
    assert "Alpha LMS sync" in listed
    assert "Beta reporting" not in listed


def test_staff_sees_a_new_api_key_secret_once(admin_site, school) -> None:
    # given the add form of API keys
    form = admin_site.add_form("schools", "apikey")
    assert form.locator("#id_school").count() == 0  # the school comes from the login

    # when the staff member creates a key
    form.fill("#id_name", "Zapier")
    admin_site.save()

    # then the secret is shown once, works as this school's key, and is gone on reload
    shown = " ".join(admin_site.messages())
    secret = next(word for word in shown.split() if word.startswith("sk_"))
    key = ApiKey.objects.get(key_hash=ApiKey.hash_secret(secret))
    assert key.school == school
    assert key.name == "Zapier"
    admin_site.page.reload()
    assert secret not in admin_site.page.content()
    admin_site.changelist("schools", "apikey")
    assert secret not in admin_site.page.content()


def test_staff_suspends_a_user_with_the_admin_action(admin_site, school) -> None:
    # given an active learner
    learner = MemberFactory(school=school, user=UserFactory(email="cy@alpha.test"))
    users = admin_site.changelist("schools", "member")

    # when the staff member runs "Suspend the selected users" on them
    users.run_action("Suspend the selected users", on=["cy@alpha.test"])

    # then the admin confirms it and the learner is suspended in the database
    assert "Suspended 1 user(s)." in admin_site.messages()
    learner.refresh_from_db()
    assert learner.status == Member.Status.SUSPENDED
    assert learner.suspended_at is not None


def test_staff_adds_a_user_who_joins_their_school(admin_site, school) -> None:
    # given the add form of users
    form = admin_site.add_form("schools", "member")
    assert form.locator("#id_school").count() == 0  # the school comes from the login

    # when the staff member fills in a new person and saves
    form.fill("#id_email", "dee@alpha.test")
    form.fill("#id_first_name", "Dee")
    form.select_option("#id_role", label="Instructor")
    admin_site.save()

    # then the person is a member of their school, created through the service (event)
    assert any("was added successfully" in message for message in admin_site.messages())
    member = Member.objects.get(user__email="dee@alpha.test")
    assert (member.school, member.role) == (school, Member.Role.INSTRUCTOR)
    assert Event.objects.filter(school=school, type="user.created").exists()
    assert "dee@alpha.test" in " ".join(admin_site.changelist("schools", "member").row_texts())
