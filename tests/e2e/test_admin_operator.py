"""The platform operator sees every school in the admin, with a school filter."""

import pytest

from apps.schools.models import User
from tests.e2e.pages import AdminSite
from tests.factories import MemberFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_site(page) -> AdminSite:
    User.objects.create_superuser("root@lyceum.test", "operator passphrase")
    site = AdminSite(page)
    site.login("root@lyceum.test", "operator passphrase")
    return site


def test_operator_sees_both_schools_and_filters_by_school(admin_site, school, other_school) -> None:
    # given a learner in each school
    MemberFactory(school=school, user=UserFactory(email="ada@alpha.test"))
    MemberFactory(school=other_school, user=UserFactory(email="bob@beta.test"))

    # when the operator opens the users list and filters on one school
    users = admin_site.changelist("schools", "member")
    everyone = " ".join(users.row_texts())
    choices = users.filter_choices("school")
    users.apply_filter("school", other_school.name)

    # then both schools were listed and offered, and the filter keeps one school
    assert "ada@alpha.test" in everyone
    assert "bob@beta.test" in everyone
    assert {school.name, other_school.name} <= set(choices)
    filtered = " ".join(users.row_texts())
    assert "bob@beta.test" in filtered
    assert "ada@alpha.test" not in filtered


def test_operator_index_lists_only_lyceum_groups(admin_site) -> None:
    # given the operator on the admin index
    page = admin_site.page

    # when they read the sections offered
    sections = [
        text.strip().lower() for text in page.locator("#content-main caption").all_inner_texts()
    ]

    # then Django's permission groups are not offered beside the schools' Groups
    assert "authentication and authorization" not in sections
    assert admin_site.index_models().count("Groups") == 1
