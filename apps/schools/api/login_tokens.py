"""``POST auth/login-token``: exchange a domain user's one-time login token for user JWTs."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.core.api.base import ApiView
from apps.core.api.serializers import Serializer
from apps.core.throttling import AuthRateThrottle
from apps.schools import tokens
from apps.schools.api.serializers import TokenPairSerializer
from apps.schools.login_tokens import login_token_exchange


class LoginTokenSerializer(Serializer):
    login_token = serializers.CharField(max_length=512, min_length=1, trim_whitespace=False)


class LoginTokenExchangeView(ApiView):
    """Sign in with the ``login_token`` from ``POST domains/{name}/users``: works once, 24 h.

    Tokens are random 256-bit secrets, so guessing is limited per address only.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthRateThrottle]

    @extend_schema(
        request=LoginTokenSerializer,
        responses={200: TokenPairSerializer, 400: OpenApiResponse(description="Bad token")},
        auth=[],
        operation_id="auth_login_token_create",
        summary="Exchange a one-time login token for user tokens",
    )
    def post(self, request) -> Response:
        serializer = LoginTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        member = login_token_exchange(token=serializer.validated_data["login_token"])
        return Response(TokenPairSerializer(tokens.tokens_issue(member=member)).data)
