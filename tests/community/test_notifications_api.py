"""A person's notifications: unread first then newest, marking one or all read, own only."""

import pytest

from apps.community.models import Notification
from apps.community.services.notifications import notify
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/me/notifications"


def test_inbox_lists_unread_first_then_newest(user_client, learner):
    # given
    oldest = notify(user=learner.user, kind="space.invitation", text="one")
    middle = notify(user=learner.user, kind="space.invitation", text="two")
    newest = notify(user=learner.user, kind="space.invitation", text="three")
    user_client.post(f"{URL}/{newest.id}/read")

    # when
    response = user_client.get(URL)

    # then
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [middle.id, oldest.id, newest.id]


def test_marking_all_read_touches_only_the_callers_own(user_client, learner, school):
    # given
    mine = notify(user=learner.user, kind="space.invitation", text="mine")
    someone = MemberFactory(school=school).user
    theirs = notify(user=someone, kind="space.invitation", text="theirs")

    # when
    response = user_client.post(f"{URL}/read-all")

    # then
    assert response.status_code == 200
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=mine.pk).is_read
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_someone_elses_notification_is_404_to_a_user_token(user_client, school):
    # given
    theirs = notify(user=MemberFactory(school=school).user, kind="space.invitation", text="x")

    # when
    response = user_client.post(f"{URL}/{theirs.id}/read")

    # then
    assert response.status_code == 404
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_notification_text_is_cut_to_fit(learner):
    # when
    notification = notify(user=learner.user, kind="post.reply", text="x" * 2000)

    # then
    assert len(notification.text) == 500
