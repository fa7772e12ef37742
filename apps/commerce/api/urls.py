from django.urls import re_path

from apps.commerce.api.credits import TrainingCreditCodeViewSet
from apps.commerce.api.offers import OfferViewSet
from apps.commerce.api.seats import SeatOfferingViewSet, SeatUserViewSet
from apps.core.api.routers import OptionalSlashRouter

router = OptionalSlashRouter()
router.register("offers", OfferViewSet, basename="offer")
router.register("training-credit-codes", TrainingCreditCodeViewSet, basename="training-credit-code")
router.register("seats", SeatOfferingViewSet, basename="seat")

SEAT_USERS = r"^seats/(?P<seat_id>[^/]+)/users"
urlpatterns = [
    *router.urls,
    re_path(rf"{SEAT_USERS}/?$", SeatUserViewSet.as_view({"get": "list"}), name="seat-user-list"),
    # POST on a person's seat assigns them (LearnWorlds' "add a user to a seat offering").
    re_path(
        rf"{SEAT_USERS}/(?P<user_id>[^/]+)/?$",
        SeatUserViewSet.as_view({"get": "retrieve", "post": "assign"}),
        name="seat-user-detail",
    ),
]
