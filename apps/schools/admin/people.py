"""Admin for schools, platform users, members, tags and API keys; writes go through services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.models import Group as PermissionGroup
from django.db import transaction
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist import admin as token_admin
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.core.admin import SchoolScopedAdmin, ServiceAdmin, ServiceAdminMixin, admin_school
from apps.core.credentials import ALL_SCOPES, WILDCARD_SCOPE
from apps.core.email_identity import EmailRefused, normalize_email
from apps.schools.models import ApiKey, Member, School, Tag, User
from apps.schools.selectors.accounts import accounts_with_email
from apps.schools.services import people as people_services
from apps.schools.services import schools as schools_services

# Access in Lyceum comes from school roles, not Django's permission groups; listing those
# beside the schools' own Groups only misleads the operator.
if admin.site.is_registered(PermissionGroup):
    admin.site.unregister(PermissionGroup)


class _TokenLogAdmin:
    """simplejwt's token lists, viewable only: revoking goes through ``user_tokens_revoke``
    (the users' "Revoke every token" action); deleting a blacklist row would un-revoke."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


for _model, _admin in [
    (OutstandingToken, token_admin.OutstandingTokenAdmin),
    (BlacklistedToken, token_admin.BlacklistedTokenAdmin),
]:
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, type(_admin.__name__, (_TokenLogAdmin, _admin), {}))


def _clean_email(value: str) -> str:
    try:
        return normalize_email(value)
    except EmailRefused as exc:
        raise forms.ValidationError(str(exc)) from None


class OperatorCreationForm(AdminUserCreationForm):
    """The operator's "add person" form makes a platform operator: an account of no
    school, whose e-mail is unique among operators."""

    class Meta:
        model = User
        fields = ["email"]

    def clean_email(self) -> str:
        email = _clean_email(self.cleaned_data["email"])
        if accounts_with_email(email=email).filter(school__isnull=True).exists():
            raise forms.ValidationError("An operator with this e-mail exists.")
        return email


class AccountPasswordForm(AdminPasswordChangeForm):
    """The operator's "set password", saved through ``user_account_update`` (so a school's
    account gets ``user.updated``, as when its password changes through the API)."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data["password1"] if usable else None
        return people_services.user_account_update(user=self.user, password=password)


@admin.register(School)
class SchoolAdmin(ServiceAdmin):
    """Schools are the platform operator's to manage (through ``school_create`` and
    ``school_update``; a school is switched off, never deleted here)."""

    list_display = ["name", "slug", "is_active", "live_school", "created_at"]
    list_filter = ["is_active", ("live_school", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug"]
    readonly_fields = ["id", "live_school", "created_at", "updated_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: School, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changed = {k: data[k] for k in ("name", "slug", "is_active") if k in form.changed_data}
            school = schools_services.school_update(school=School.objects.get(pk=obj.pk), **changed)
        else:
            # Through the service: a new school gets its built-in user roles.
            school, _ = schools_services.school_create(name=data["name"], slug=data["slug"])
            school = schools_services.school_update(school=school, is_active=data["is_active"])
        obj.pk, obj.created_at, obj.updated_at = school.pk, school.created_at, school.updated_at


@admin.register(User)
class UserAdmin(ServiceAdminMixin, DjangoUserAdmin):
    """Every account on the platform, each of one school or an operator's (operators only;
    school staff use Members). Adding here makes a platform operator (``operator_create``);
    changes go through ``user_account_update``; accounts are never deleted here (a school's
    account is anonymized under Members)."""

    add_form = OperatorCreationForm
    change_password_form = AccountPasswordForm
    ordering = ["email"]
    list_display = [
        "email",
        "school",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "created_at",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "school"]
    list_select_related = ["school"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = [
        "id",
        "school",
        "token_generation",
        "created_at",
        "updated_at",
        "last_login",
        "anonymized_at",
    ]
    fieldsets = [
        (None, {"fields": ["id", "school", "email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "token_generation"]}),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at", "anonymized_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            fields = {
                name: data[name]
                for name in (
                    *people_services.IDENTITY_FIELDS,
                    *people_services.ACCOUNT_ACCESS_FIELDS,
                )
                if name in form.changed_data
            }
            user = people_services.user_account_update(user=User.objects.get(pk=obj.pk), **fields)
        else:
            user = people_services.operator_create(email=data["email"], password=data["password1"])
        obj.pk, obj.email, obj.school_id = user.pk, user.email, user.school_id

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """Nothing more: permission groups are not used in Lyceum (access comes from roles)."""

    actions = ["revoke_tokens"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description="Revoke every token of the selected users")
    def revoke_tokens(self, request: HttpRequest, queryset) -> None:
        for user in queryset:
            people_services.user_tokens_revoke(user=user)
        messages.success(request, f"Revoked the tokens of {queryset.count()} user(s).")


@admin.register(Tag)
class TagAdmin(SchoolScopedAdmin):
    """Tags; saved through ``tag_create`` and ``tag_rename`` (holders get ``user.updated``)."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Tag, form, change: bool) -> None:
        name = form.cleaned_data["name"]
        if change:
            people_services.tag_rename(tag=Tag.objects.get(pk=obj.pk), name=name)
            return
        school = admin_school(request) or form.cleaned_data.get("school")
        tag = people_services.tag_create(school=school, name=name)
        obj.pk, obj.school = tag.pk, tag.school


class MemberAddForm(forms.ModelForm):
    """Adding a user: creates the school's account, or finds the one it has with this
    e-mail (other schools' accounts are never looked at)."""

    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)

    class Meta:
        model = Member
        fields = [
            "email",
            "first_name",
            "last_name",
            "role",
            "external_id",
            "company",
            "department",
            "country",
        ]

    def clean_email(self) -> str:
        return _clean_email(self.cleaned_data["email"])


@admin.register(Member)
class MemberAdmin(SchoolScopedAdmin):
    """A school's users, as its staff manage them."""

    list_display = ["email", "full_name", "role", "status", "company", "created_at"]
    list_filter = ["role", "status"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "external_id"]
    list_select_related = ["user", "school"]
    readonly_fields = ["id", "user", "suspended_at", "anonymized_at", "created_at", "updated_at"]
    autocomplete_fields = ["tags"]
    fields = [
        "id",
        "user",
        "role",
        "status",
        "tags",
        "external_id",
        "company",
        "department",
        "country",
        "metadata",
        "suspended_at",
        "anonymized_at",
        "created_at",
        "updated_at",
    ]
    # No Delete: a person's account is erased by anonymizing it (the API's
    # ``users/{id}/anonymize``), which keeps learning records and emits ``user.anonymized``.
    actions = ["suspend", "unsuspend", "revoke_tokens", "anonymize"]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = MemberAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            fields = list(MemberAddForm.Meta.fields)
            if request.user.is_superuser:
                fields.insert(0, "school")
            return fields
        return self._account_field(request, super().get_fields(request, obj))

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return self._account_field(request, super().get_readonly_fields(request, obj))

    def _account_field(self, request: HttpRequest, fields) -> list:
        """``user`` (a link to the account's page) for whom may open that page, ``account``
        (the same account as text) for the school's staff, who may not."""
        users_admin = self.admin_site._registry.get(User)
        if users_admin is not None and users_admin.has_view_permission(request):
            return list(fields)
        return ["account" if name == "user" else name for name in fields]

    @admin.display(description="User")
    def account(self, member: Member) -> str:
        return str(member.user)

    @admin.display(description="E-mail", ordering="user__email")
    def email(self, member: Member) -> str:
        return member.user.email

    @admin.display(description="Name")
    def full_name(self, member: Member) -> str:
        return member.user.get_full_name()

    def save_model(self, request: HttpRequest, obj: Member, form, change: bool) -> None:
        if change:
            # The form has already copied its values onto ``obj``; the services compare
            # against the stored row, so they get a fresh copy (else a role change would
            # keep a custom role and a status change would skip suspended_at and its event).
            current = Member.objects.select_related("user", "school").get(pk=obj.pk)
            fields = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in people_services.MEMBER_FIELDS
            }
            if "tags" in form.changed_data:
                fields["tags"] = [tag.name for tag in form.cleaned_data["tags"]]
            if fields:
                current = people_services.user_update(member=current, **fields)
            if "status" in form.changed_data:
                if form.cleaned_data["status"] == Member.Status.SUSPENDED:
                    people_services.member_suspend(member=current)
                else:
                    people_services.member_unsuspend(member=current)
            return
        school = admin_school(request) or form.cleaned_data.get("school")
        data = form.cleaned_data
        member, created = people_services.user_create(
            school=school,
            email=data["email"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            role=data.get("role") or Member.Role.LEARNER,
            external_id=data.get("external_id", ""),
            company=data.get("company", ""),
            department=data.get("department", ""),
            country=data.get("country", ""),
        )
        obj.pk, obj.user, obj.school = member.pk, member.user, member.school
        if not created:
            messages.info(request, f"{member.user.email} was already a user of this school.")

    def save_related(self, request, form, formsets, change) -> None:
        """Nothing to do: the tags are saved by ``user_update`` in ``save_model``."""

    @admin.action(description="Suspend the selected users")
    def suspend(self, request: HttpRequest, queryset) -> None:
        for member in queryset.select_related("school", "user"):
            people_services.member_suspend(member=member)
        messages.success(request, f"Suspended {queryset.count()} user(s).")

    @admin.action(description="Unsuspend the selected users")
    def unsuspend(self, request: HttpRequest, queryset) -> None:
        for member in queryset.select_related("school", "user"):
            people_services.member_unsuspend(member=member)
        messages.success(request, f"Unsuspended {queryset.count()} user(s).")

    @admin.action(description="Revoke every token of the selected users")
    def revoke_tokens(self, request: HttpRequest, queryset) -> None:
        for member in queryset.select_related("user"):
            people_services.user_tokens_revoke(user=member.user)
        messages.success(request, f"Revoked the tokens of {queryset.count()} user(s).")

    @admin.action(description="Anonymize the selected users (irreversible)")
    def anonymize(self, request: HttpRequest, queryset) -> None:
        members = list(queryset.filter(anonymized_at__isnull=True))
        for member in members:
            people_services.user_anonymize(member=member)
        messages.success(request, f"Anonymized {len(members)} user(s).")


class ApiKeyAddForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(
        label="Scopes",
        choices=[(WILDCARD_SCOPE, "* (every scope)")] + [(s, s) for s in ALL_SCOPES],
        widget=forms.CheckboxSelectMultiple,
        initial=[WILDCARD_SCOPE],
    )

    class Meta:
        model = ApiKey
        fields = ["name", "is_test"]


@admin.register(ApiKey)
class ApiKeyAdmin(SchoolScopedAdmin):
    """API keys: the secret is shown once, right after creation."""

    list_display = ["name", "prefix", "is_test", "scope_list", "last_used_at", "revoked_at"]
    list_filter = ["is_test"]
    search_fields = ["name", "prefix"]
    readonly_fields = [
        "id",
        "prefix",
        "is_test",
        "scopes",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]
    fields = [
        "id",
        "name",
        "prefix",
        "is_test",
        "scopes",
        "last_used_at",
        "revoked_at",
        "created_by",
        "created_at",
    ]
    actions = ["revoke"]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            fields = ["name", "is_test", "scope_choices"]
            if request.user.is_superuser:
                fields.insert(0, "school")
            return fields
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return []
        return super().get_readonly_fields(request, obj)

    @admin.display(description="Scopes")
    def scope_list(self, key: ApiKey) -> str:
        return " ".join(key.scopes)

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            schools_services.api_key_rename(
                api_key=ApiKey.objects.get(pk=obj.pk), name=form.cleaned_data["name"]
            )
            return
        school = admin_school(request) or form.cleaned_data.get("school")
        with transaction.atomic():
            key, secret = schools_services.api_key_create(
                school=school,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scope_choices"],
                test=form.cleaned_data["is_test"],
                created_by=request.user,
            )
        obj.pk, obj.prefix, obj.school = key.pk, key.prefix, key.school
        messages.warning(
            request,
            f"Copy this API key now; it will not be shown again: {secret}",
        )

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset) -> None:
        for key in queryset:
            schools_services.api_key_revoke(api_key=key)
        messages.success(request, f"Revoked {queryset.count()} key(s).")
