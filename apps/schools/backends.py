"""Admin sign-in for per-school accounts: e-mail, password and, when needed, the school."""

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from apps.schools.models import User
from apps.schools.selectors.accounts import accounts_for_password, school_label


class SchoolAccountBackend(ModelBackend):
    """Find the account an e-mail and password open: a school's staff or an operator.

    When the pair opens accounts in several schools (the same person is staff of two
    schools, with one password) nobody is signed in and the choices are left on the
    request as ``lyceum_login_choices`` for the login form to offer; the form sends the
    chosen school back as ``school``.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        school: str | None = None,
        **kwargs,
    ) -> User | None:
        username = username if username is not None else kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        matching = [
            user
            for user in accounts_for_password(
                email=username, password=password, school=school or None, operators=True
            )
            if self.user_can_authenticate(user)
        ]
        if len(matching) > 1:
            if request is not None:
                request.lyceum_login_choices = [school_label(user) for user in matching]
            return None
        return matching[0] if matching else None
