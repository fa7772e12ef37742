import threading

import pytest
from django.db import connection, connections

from apps.core.errors import InvalidInput
from apps.schools.models import AccessCode, AccessCodeRedemption, DomainUser, GroupMembership
from apps.schools.services.access_codes import code_create, code_redeem, pool_create
from apps.schools.services.groups import group_create, group_pool_add
from tests.factories import DomainFactory, MemberFactory, SchoolFactory


@pytest.mark.django_db
def test_redeem_joins_groups_linked_to_the_pool():
    # given
    school = SchoolFactory()
    domain = DomainFactory(school=school)
    pool = pool_create(domain=domain, name="Partners")
    code_create(pool=pool, code="partner")
    group = group_create(school=school, name="Partners")
    group_pool_add(group=group, pool=pool)
    member = MemberFactory(school=school)

    # when
    code_redeem(domain=domain, code="partner", member=member)

    # then
    assert GroupMembership.objects.filter(group=group, member=member).exists()


@pytest.mark.django_db
def test_redeem_reactivates_existing_domain_user():
    # given
    school = SchoolFactory()
    domain = DomainFactory(school=school)
    member = MemberFactory(school=school)
    DomainUser.objects.create(
        school=school, domain=domain, member=member, user=member.user, active=False
    )
    code_create(pool=pool_create(domain=domain, name="p"), code="again")

    # when
    domain_user, used = code_redeem(domain=domain, code="again", member=member)

    # then
    assert used is True
    domain_user.refresh_from_db()
    assert domain_user.active is True
    assert domain_user.access_code.code == "again"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_redeemers_of_the_last_use_exactly_one_wins():
    # given: a code with one use left and two people redeeming it at the same moment
    school = SchoolFactory()
    domain = DomainFactory(school=school)
    code = code_create(pool=pool_create(domain=domain, name="p"), code="last", max_uses=2)
    AccessCode.objects.filter(pk=code.pk).update(use_count=1)
    members = [MemberFactory(school=school), MemberFactory(school=school)]
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def redeem(member) -> None:
        try:
            barrier.wait(timeout=10)
            code_redeem(domain=domain, code="last", member=member)
            outcomes.append("won")
        except InvalidInput as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(member,)) for member in members]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    assert connection.vendor == "postgresql"
    assert sorted(outcomes) == ["code_exhausted", "won"]
    code.refresh_from_db()
    assert code.use_count == 2
    assert AccessCodeRedemption.objects.filter(code=code).count() == 1
    assert DomainUser.objects.filter(domain=domain).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_concurrent_redeemers_never_exceed_max_uses():
    # given
    school = SchoolFactory()
    domain = DomainFactory(school=school)
    code = code_create(pool=pool_create(domain=domain, name="p"), code="few", max_uses=3)
    members = [MemberFactory(school=school) for _ in range(8)]
    barrier = threading.Barrier(len(members))
    outcomes: list[str] = []

    def redeem(member) -> None:
        try:
            barrier.wait(timeout=10)
            code_redeem(domain=domain, code="few", member=member)
            outcomes.append("won")
        except InvalidInput as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem, args=(member,)) for member in members]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then
    assert outcomes.count("won") == 3
    assert outcomes.count("code_exhausted") == 5
    code.refresh_from_db()
    assert code.use_count == 3


@pytest.mark.django_db
def test_services_refuse_people_of_another_school():
    # given
    from apps.schools.services.domains import domain_user_add
    from apps.schools.services.groups import group_member_add

    school, other = SchoolFactory(), SchoolFactory()
    domain = DomainFactory(school=school)
    group = group_create(school=school, name="G")
    stranger = MemberFactory(school=other)

    # when / then
    with pytest.raises(InvalidInput):
        domain_user_add(domain=domain, member=stranger)
    with pytest.raises(InvalidInput):
        group_member_add(group=group, member=stranger)
    with pytest.raises(InvalidInput):
        group_pool_add(group=group, pool=pool_create(domain=DomainFactory(school=other), name="p"))
    assert not DomainUser.objects.exists()
