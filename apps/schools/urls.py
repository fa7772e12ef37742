"""Pages of the schools app served outside /api (see ``config/urls.py``)."""

from django.urls import path

from apps.schools.views import InviteActivateView

app_name = "schools"

urlpatterns = [
    path("invites/<str:token>", InviteActivateView.as_view(), name="invite-activate"),
]
