"""Pages outside the API: the invitation page where a person sets a password."""

from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from apps.schools.models import Invite
from apps.schools.selectors.invites import InviteInvalid, invite_for_token
from apps.schools.services.invites import invite_accept


@method_decorator(never_cache, name="dispatch")
class InviteActivateView(View):
    """``GET/POST /invites/<token>``: accept an invitation once, setting a password if new."""

    def _context(self, invite: Invite, form: SetPasswordForm | None) -> dict:
        return {
            "invite": invite,
            "user": invite.domain_user.member.user,
            "school": invite.school,
            "domain": invite.domain,
            "action": invite.mail_action or "Accept the invitation",
            "form": form,
        }

    def _invalid(self, request: HttpRequest) -> HttpResponse:
        return render(request, "schools/invite_invalid.html", status=InviteInvalid.status_code)

    def _form(self, invite: Invite, data=None) -> SetPasswordForm | None:
        user = invite.domain_user.member.user
        return None if user.has_usable_password() else SetPasswordForm(user, data)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            invite = invite_for_token(token)
        except InviteInvalid:
            return self._invalid(request)
        context = self._context(invite, self._form(invite))
        return render(request, "schools/invite_activate.html", context)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            invite = invite_for_token(token)
        except InviteInvalid:
            return self._invalid(request)
        form = self._form(invite, request.POST)
        if form is not None and not form.is_valid():
            context = self._context(invite, form)
            return render(request, "schools/invite_activate.html", context, status=400)
        password = form.cleaned_data["new_password1"] if form is not None else None
        try:
            invite_accept(invite=invite, password=password)
        except InviteInvalid:
            return self._invalid(request)
        return render(request, "schools/invite_done.html", self._context(invite, None))
