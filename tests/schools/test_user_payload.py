"""``user.*`` events carry exactly the user the API shows."""

import pytest

from apps.core.models import Event

pytestmark = pytest.mark.django_db


def test_user_updated_event_carries_the_api_user(api_client, learner):
    # given
    api_client.put(f"/api/v1/users/{learner.user_id}/tags", {"tags": ["b", "a"]}, format="json")

    # when
    response = api_client.patch(
        f"/api/v1/users/{learner.user_id}", {"company": "Acme"}, format="json"
    )

    # then
    event = Event.objects.filter(type="user.updated").order_by("-id").first()
    assert response.status_code == 200
    assert event.payload == response.json()
    assert event.payload["tags"] == ["a", "b"]
