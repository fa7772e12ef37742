"""Teach drf-spectacular how Lyceum's credentials appear in the OpenAPI schema."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.schools.authentication.ApiKeyAuthentication"
    name = ["apiKey", "apiKeyBasic"]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "A school API key: sk_live_... or sk_test_...",
            },
            {
                "type": "http",
                "scheme": "basic",
                "description": "Skilljar style: the API key as username, empty password.",
            },
        ]


class UserTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "apps.schools.authentication.UserTokenAuthentication"
    name = "userToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A user's access token from POST /api/v1/auth/token.",
        }
