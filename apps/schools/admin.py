"""Admin for schools, their people and their API keys; writes go through services."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, StreamingHttpResponse

from apps.core.admin import SchoolScopedAdmin, SchoolScopedInline, admin_school
from apps.core.credentials import ALL_SCOPES, WILDCARD_SCOPE
from apps.core.errors import ApiError
from apps.schools import (
    access_codes,
    domains,
    groups,
    invites,
    roles,
    segments,
    services,
    signup_fields,
)
from apps.schools.domains import with_active_now
from apps.schools.models import (
    AccessCode,
    AccessCodePool,
    ApiKey,
    Domain,
    DomainUser,
    Group,
    GroupAccessCodePool,
    GroupCategory,
    GroupMembership,
    Invite,
    Member,
    School,
    Segment,
    SignupField,
    SignupFieldOption,
    Tag,
    User,
    UserRole,
)

# Access in Lyceum comes from school roles, not Django's permission groups; listing those
# beside the schools' own Groups only misleads the operator.
if admin.site.is_registered(PermissionGroup):
    admin.site.unregister(PermissionGroup)


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    """Schools are the platform operator's to manage."""

    list_display = ["name", "slug", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["id", "created_at", "updated_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def save_model(self, request: HttpRequest, obj: School, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        # Through the service: a new school gets its built-in user roles.
        school, _ = services.school_create(name=obj.name, slug=obj.slug)
        if school.is_active != obj.is_active:
            school.is_active = obj.is_active
            school.save(update_fields=["is_active", "updated_at"])
        obj.pk, obj.created_at, obj.updated_at = school.pk, school.created_at, school.updated_at


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Every person on the platform (operators only; school staff use Members)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "created_at"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["id", "created_at", "updated_at", "last_login", "anonymized_at"]
    fieldsets = [
        (None, {"fields": ["id", "email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "token_generation"]}),
        ("Dates", {"fields": ["last_login", "created_at", "updated_at", "anonymized_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    actions = ["revoke_tokens"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    @admin.action(description="Revoke every token of the selected users")
    def revoke_tokens(self, request: HttpRequest, queryset) -> None:
        for user in queryset:
            services.user_tokens_revoke(user=user)
        messages.success(request, f"Revoked the tokens of {queryset.count()} user(s).")


@admin.register(Tag)
class TagAdmin(SchoolScopedAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


class MemberAddForm(forms.ModelForm):
    """Adding a user: an existing e-mail joins the school as it is."""

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
    actions = ["suspend", "unsuspend", "revoke_tokens"]

    class Meta:
        verbose_name = "user"

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
        return super().get_fields(request, obj)

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
                if name in services.MEMBER_FIELDS
            }
            if "tags" in form.changed_data:
                fields["tags"] = [tag.name for tag in form.cleaned_data["tags"]]
            try:
                if fields:
                    current = services.user_update(member=current, **fields)
            except ApiError as exc:
                messages.error(request, exc.detail)
            if "status" in form.changed_data:
                if form.cleaned_data["status"] == Member.Status.SUSPENDED:
                    services.member_suspend(member=current)
                else:
                    services.member_unsuspend(member=current)
            return
        school = admin_school(request) or form.cleaned_data.get("school")
        data = form.cleaned_data
        member, created = services.user_create(
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
            services.member_suspend(member=member)
        messages.success(request, f"Suspended {queryset.count()} user(s).")

    @admin.action(description="Unsuspend the selected users")
    def unsuspend(self, request: HttpRequest, queryset) -> None:
        for member in queryset.select_related("school", "user"):
            services.member_unsuspend(member=member)
        messages.success(request, f"Unsuspended {queryset.count()} user(s).")

    @admin.action(description="Revoke every token of the selected users")
    def revoke_tokens(self, request: HttpRequest, queryset) -> None:
        for member in queryset.select_related("user"):
            services.user_tokens_revoke(user=member.user)
        messages.success(request, f"Revoked the tokens of {queryset.count()} user(s).")


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
            super().save_model(request, obj, form, change)
            return
        school = admin_school(request) or form.cleaned_data.get("school")
        with transaction.atomic():
            key, secret = services.api_key_create(
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
            services.api_key_revoke(api_key=key)
        messages.success(request, f"Revoked {queryset.count()} key(s).")


# --- domains, domain users, access codes, signup fields, groups, invites, roles, segments ----


class UniqueInSchoolForm(forms.ModelForm):
    """Refuses a value of ``unique_field`` that another row of the school already has."""

    unique_field = "name"
    admin_school = None  # set per request by ``SchoolFormMixin.get_form``

    def clean(self) -> dict:
        data = super().clean()
        value = data.get(self.unique_field)
        school = self.admin_school or data.get("school") or getattr(self.instance, "school", None)
        if value and school is not None:
            clash = type(self.instance).objects.filter(
                school=school, **{f"{self.unique_field}__iexact": value}
            )
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error(self.unique_field, f"This school already has {value!r}.")
        return data


class SchoolFormMixin:
    """Gives the admin's form the staff member's school (for checks in ``clean``)."""

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.admin_school = admin_school(request)
        return form

    def _school_for(self, request: HttpRequest, obj) -> School:
        return admin_school(request) or obj.school


def _deleted(formset) -> list:
    """The saved rows an inline formset marks for deletion (also recorded on the formset for
    the admin's change message, as ``formset.save()`` would)."""
    formset.new_objects, formset.changed_objects = [], []
    formset.deleted_objects = [
        form.instance for form in formset.deleted_forms if form.instance.pk is not None
    ]
    return formset.deleted_objects


def _report(request: HttpRequest, exc: ApiError) -> None:
    messages.error(request, str(exc.detail))


class _Echo:
    """A file-like object whose ``write`` returns the line (for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


DOMAIN_USER_CSV_COLUMNS = [
    "domain",
    "user_id",
    "email",
    "first_name",
    "last_name",
    "active",
    "enrolled_at",
    "expires_at",
    "access_code",
    "access_code_pool",
]


def domain_users_csv(queryset, filename: str) -> StreamingHttpResponse:
    """Stream domain users as CSV (``csv`` module), in batches, whatever their number."""
    rows = (
        with_active_now(queryset)
        .select_related("domain", "member__user", "access_code__access_code_pool")
        .order_by("domain__name", "id")
    )
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(DOMAIN_USER_CSV_COLUMNS)
        for row in rows.iterator(chunk_size=2000):
            user = row.member.user
            code = row.access_code
            yield writer.writerow(
                [
                    row.domain.name,
                    user.id,
                    user.email,
                    user.first_name,
                    user.last_name,
                    "true" if row.active_now else "false",
                    row.enrolled_at.isoformat(),
                    row.expires_at.isoformat() if row.expires_at else "",
                    code.code if code else "",
                    code.access_code_pool.name if code else "",
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class DomainUserInline(SchoolScopedInline, admin.TabularInline):
    """The latest people on the domain (all of them under Domain users)."""

    model = DomainUser
    fk_name = "domain"
    fields = ["member", "active", "expires_at", "access_code", "enrolled_at"]
    readonly_fields = ["access_code", "enrolled_at"]
    autocomplete_fields = ["member"]
    extra = 0
    show_change_link = True
    LATEST = 100

    def get_queryset(self, request: HttpRequest):
        queryset = super().get_queryset(request).select_related("member__user", "access_code")
        latest = list(queryset.order_by("-id").values_list("id", flat=True)[: self.LATEST])
        return queryset.filter(id__in=latest)


def _save_domain_user_formset(request: HttpRequest, formset, domain: Domain) -> None:
    """New inline rows go through ``domain_user_add``, changes through ``domain_user_update``."""
    for obj in _deleted(formset):
        obj.delete()
    for form in formset.forms:
        if not form.has_changed() or form in formset.deleted_forms or not form.is_valid():
            continue
        data = form.cleaned_data
        try:
            if form.instance.pk is None or form.instance._state.adding:
                domains.domain_user_add(
                    domain=domain,
                    member=data["member"],
                    active=data.get("active", True),
                    expires_at=data.get("expires_at"),
                )
            else:
                fields = {name: data[name] for name in ("active", "expires_at") if name in data}
                current = DomainUser.objects.select_related("school").get(pk=form.instance.pk)
                domains.domain_user_update(domain_user=current, **fields)
        except ApiError as exc:
            _report(request, exc)


@admin.register(Domain)
class DomainAdmin(SchoolScopedAdmin):
    """Domains with their latest users inline and a CSV export of all of them."""

    list_display = ["name", "access", "created_at"]
    list_filter = ["access"]
    search_fields = ["name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [DomainUserInline]
    actions = ["export_users_csv"]

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is DomainUser:
            _save_domain_user_formset(request, formset, form.instance)
            return
        super().save_formset(request, form, formset, change)

    @admin.action(description="Export the users of the selected domains (CSV)")
    def export_users_csv(self, request: HttpRequest, queryset) -> StreamingHttpResponse:
        users = DomainUser.objects.filter(domain__in=queryset)
        return domain_users_csv(users, "domain-users.csv")


@admin.register(DomainUser)
class DomainUserAdmin(SchoolScopedAdmin):
    """People with access to a domain; saves go through the domain-user services."""

    list_display = ["email", "domain", "active", "expires_at", "access_code", "enrolled_at"]
    list_filter = ["active", "domain"]
    search_fields = ["member__user__email", "member__user__first_name", "member__user__last_name"]
    list_select_related = ["member__user", "domain", "access_code", "school"]
    autocomplete_fields = ["member", "domain"]
    readonly_fields = ["id", "access_code", "enrolled_at", "created_at", "updated_at"]
    fields = [
        "id",
        "domain",
        "member",
        "active",
        "marketing_optin",
        "expires_at",
        "access_code",
        "enrolled_at",
        "created_at",
        "updated_at",
    ]
    actions = ["send_invite", "export_csv"]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["domain", "member"]
        return fields

    @admin.display(description="E-mail", ordering="member__user__email")
    def email(self, domain_user: DomainUser) -> str:
        return domain_user.member.user.email

    def save_model(self, request: HttpRequest, obj: DomainUser, form, change: bool) -> None:
        data = form.cleaned_data
        try:
            if change:
                fields = {
                    name: data[name]
                    for name in ("active", "expires_at", "marketing_optin")
                    if name in form.changed_data
                }
                marketing = fields.pop("marketing_optin", None)
                current = DomainUser.objects.select_related("school").get(pk=obj.pk)
                domains.domain_user_update(domain_user=current, **fields)
                if "marketing_optin" in form.changed_data:
                    DomainUser.objects.filter(pk=obj.pk).update(marketing_optin=marketing)
                return
            created, _ = domains.domain_user_add(
                domain=data["domain"],
                member=data["member"],
                active=data.get("active", True),
                marketing_optin=data.get("marketing_optin"),
                expires_at=data.get("expires_at"),
            )
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school, obj.user_id = created.pk, created.school, created.user_id

    @admin.action(description="Send an invite to the selected users")
    def send_invite(self, request: HttpRequest, queryset) -> None:
        count = 0
        for domain_user in queryset.select_related("school", "domain", "member__user"):
            invites.invite_create(domain_user=domain_user, send_email=True)
            count += 1
        messages.success(request, f"Invited {count} user(s); the e-mails are on their way.")

    @admin.action(description="Export the selected users (CSV)")
    def export_csv(self, request: HttpRequest, queryset) -> StreamingHttpResponse:
        return domain_users_csv(queryset, "domain-users.csv")


class AccessCodeInline(SchoolScopedInline, admin.TabularInline):
    model = AccessCode
    fk_name = "access_code_pool"
    fields = ["code", "active", "max_uses", "use_count", "duration", "duration_unit"]
    readonly_fields = ["use_count"]
    extra = 1


@admin.register(AccessCodePool)
class AccessCodePoolAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Pools of access codes; codes are edited inline and saved through the services."""

    list_display = ["name", "domain", "active", "start_date", "end_date", "code_count"]
    list_filter = ["active", "domain"]
    search_fields = ["name", "domain__name"]
    list_select_related = ["domain", "school"]
    autocomplete_fields = ["domain"]
    readonly_fields = ["id", "channel", "created_at", "updated_at"]
    inlines = [AccessCodeInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_code_count=Count("codes"))

    @admin.display(description="Codes", ordering="_code_count")
    def code_count(self, pool: AccessCodePool) -> int:
        return pool._code_count

    def save_model(self, request: HttpRequest, obj: AccessCodePool, form, change: bool) -> None:
        data = {name: form.cleaned_data.get(name) for name in access_codes.POOL_FIELDS}
        try:
            if change:
                access_codes.pool_update(pool=obj, **data)
                return
            pool = access_codes.pool_create(
                domain=form.cleaned_data["domain"], channel=AccessCodePool.Channel.ADMIN, **data
            )
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = pool.pk, pool.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        if formset.model is not AccessCode:
            return super().save_formset(request, form, formset, change)
        pool = AccessCodePool.objects.get(pk=form.instance.pk)
        for obj in _deleted(formset):
            obj.delete()
        for code_form in formset.forms:
            if not code_form.has_changed() or code_form in formset.deleted_forms:
                continue
            data = {
                name: code_form.cleaned_data.get(name)
                for name in access_codes.CODE_FIELDS
                if name in code_form.cleaned_data
            }
            try:
                if code_form.instance._state.adding:
                    access_codes.code_create(pool=pool, **data)
                else:
                    access_codes.code_update(access_code=code_form.instance, **data)
            except ApiError as exc:
                _report(request, exc)


@admin.register(AccessCode)
class AccessCodeAdmin(SchoolScopedAdmin):
    """Find a code and who used it; codes are added in their pool."""

    list_display = ["code", "access_code_pool", "domain", "active", "use_count", "max_uses"]
    list_filter = ["active", "domain"]
    search_fields = ["code", "access_code_pool__name"]
    list_select_related = ["access_code_pool", "domain", "school"]
    readonly_fields = ["id", "domain", "access_code_pool", "use_count", "redeemed_by"]
    fields = [
        "id",
        "domain",
        "access_code_pool",
        "code",
        "active",
        "max_uses",
        "use_count",
        "duration",
        "duration_unit",
        "redeemed_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Used by")
    def redeemed_by(self, code: AccessCode) -> str:
        emails = code.redemptions.select_related("member__user").values_list(
            "member__user__email", flat=True
        )
        return ", ".join(emails) or "nobody yet"

    def save_model(self, request: HttpRequest, obj: AccessCode, form, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            access_codes.code_update(access_code=AccessCode.objects.get(pk=obj.pk), **fields)
        except ApiError as exc:
            _report(request, exc)


class SignupFieldOptionInline(SchoolScopedInline, admin.TabularInline):
    model = SignupFieldOption
    fields = ["label", "position"]
    extra = 1


@admin.register(SignupField)
class SignupFieldAdmin(SchoolScopedAdmin):
    """The questions a domain asks; select fields list their options inline."""

    list_display = ["label", "domain", "type", "required", "position"]
    list_filter = ["type", "domain"]
    search_fields = ["label", "domain__name"]
    list_select_related = ["domain", "school"]
    autocomplete_fields = ["domain"]
    readonly_fields = ["id", "created_at", "updated_at"]
    inlines = [SignupFieldOptionInline]

    def save_model(self, request: HttpRequest, obj: SignupField, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in signup_fields.FIELD_FIELDS}
        try:
            if change:
                changed = {k: v for k, v in data.items() if k in form.changed_data}
                current = SignupField.objects.get(pk=obj.pk)
                signup_fields.signup_field_update(signup_field=current, **changed)
                return
            field = signup_fields.signup_field_create(domain=form.cleaned_data["domain"], **data)
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = field.pk, field.school

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        field = SignupField.objects.filter(pk=form.instance.pk).first()
        if field is None:  # the field itself was refused
            return
        for obj in _deleted(formset):
            signup_fields.signup_field_option_delete(option=obj)
        for row in formset.forms:
            if not row.has_changed() or row in formset.deleted_forms or not row.is_valid():
                continue
            data = {
                name: row.cleaned_data[name]
                for name in signup_fields.OPTION_FIELDS
                if name in row.cleaned_data
            }
            try:
                if row.instance._state.adding:
                    signup_fields.signup_field_option_create(signup_field=field, **data)
                else:
                    current = SignupFieldOption.objects.get(pk=row.instance.pk)
                    signup_fields.signup_field_option_update(option=current, **data)
            except ApiError as exc:
                _report(request, exc)


@admin.register(SignupFieldOption)
class SignupFieldOptionAdmin(SchoolScopedAdmin):
    """Options are edited on their field; listed here for group-rule autocomplete."""

    list_display = ["label", "field", "position"]
    search_fields = ["label", "field__label"]
    list_select_related = ["field", "school"]
    autocomplete_fields = ["field"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(GroupCategory)
class GroupCategoryAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Group categories; saved through ``group_category_create``/``group_category_update``."""

    form = UniqueInSchoolForm
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: GroupCategory, form, change: bool) -> None:
        name = form.cleaned_data["name"]
        try:
            if change:
                current = GroupCategory.objects.get(pk=obj.pk)
                groups.group_category_update(category=current, name=name)
                return
            category = groups.group_category_create(
                school=self._school_for(request, obj), name=name
            )
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = category.pk, category.school


class GroupMembershipInline(SchoolScopedInline, admin.TabularInline):
    model = GroupMembership
    fields = ["member", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["member"]
    extra = 1
    verbose_name = "member"
    verbose_name_plural = "members"


class GroupAccessCodePoolInline(SchoolScopedInline, admin.TabularInline):
    model = GroupAccessCodePool
    fields = ["access_code_pool"]
    autocomplete_fields = ["access_code_pool"]
    extra = 0
    verbose_name = "access code pool (its redeemers join the group)"
    verbose_name_plural = "access code pools"


@admin.register(Group)
class GroupAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Groups; members are added with autocomplete and saved through ``group_member_add``."""

    form = UniqueInSchoolForm
    list_display = ["name", "category", "discount_percent", "members_count", "rule_enforce"]
    list_filter = ["rule_enforce", "category"]
    search_fields = ["name"]
    list_select_related = ["category", "school"]
    autocomplete_fields = ["category", "rule_options"]
    readonly_fields = ["id", "created_at", "updated_at"]
    fields = [
        "id",
        "name",
        "category",
        "discount_percent",
        "rule_enforce",
        "rule_require_match_all",
        "rule_options",
        "created_at",
        "updated_at",
    ]
    inlines = [GroupMembershipInline, GroupAccessCodePoolInline]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(_members=Count("memberships"))

    @admin.display(description="Members", ordering="_members")
    def members_count(self, group: Group) -> int:
        return group._members

    def save_model(self, request: HttpRequest, obj: Group, form, change: bool) -> None:
        # Rule options go through the service too (not ``form.save_m2m``), so they are checked
        # and a changed enforced rule is applied to the members it now matches.
        data = {name: form.cleaned_data.get(name) for name in groups.GROUP_FIELDS}
        options = list(form.cleaned_data.get("rule_options") or [])
        try:
            if change:
                changed = {k: v for k, v in data.items() if k in form.changed_data}
                current = Group.objects.select_related("school").get(pk=obj.pk)
                if "rule_options" in form.changed_data:
                    changed["rule_options"] = options
                groups.group_update(group=current, **changed)
                return
            group = groups.group_create(
                school=self._school_for(request, obj), rule_options=options, **data
            )
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = group.pk, group.school

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """The inlines only: ``save_model`` saved the rule options through the service."""
        if Group.objects.filter(pk=form.instance.pk).exists():
            for formset in formsets:
                self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        group = Group.objects.select_related("school").get(pk=form.instance.pk)
        if formset.model is GroupMembership:
            for obj in _deleted(formset):
                groups.group_member_remove(membership=obj)
            for row in formset.forms:
                member = row.cleaned_data.get("member") if row.is_valid() else None
                if row.instance._state.adding and member and row not in formset.deleted_forms:
                    try:
                        groups.group_member_add(group=group, member=member)
                    except ApiError as exc:
                        _report(request, exc)
            return
        if formset.model is GroupAccessCodePool:
            for obj in _deleted(formset):
                obj.delete()
            for row in formset.forms:
                pool = row.cleaned_data.get("access_code_pool") if row.is_valid() else None
                if row.instance._state.adding and pool and row not in formset.deleted_forms:
                    try:
                        groups.group_pool_add(group=group, pool=pool)
                    except ApiError as exc:
                        _report(request, exc)
            return
        super().save_formset(request, form, formset, change)


@admin.register(Invite)
class InviteAdmin(SchoolScopedAdmin):
    """Invitations sent to domain users (send new ones from Domain users)."""

    list_display = ["id", "email", "domain", "sent_at", "expires_at", "accepted_at"]
    list_filter = ["domain"]
    search_fields = ["domain_user__member__user__email"]
    list_select_related = ["domain_user__member__user", "domain", "school"]
    readonly_fields = [
        "id",
        "domain_user",
        "domain",
        "send_email",
        "mail_subject",
        "mail_body",
        "mail_action",
        "sent_at",
        "expires_at",
        "accepted_at",
        "created_at",
    ]
    exclude = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description="E-mail")
    def email(self, invite: Invite) -> str:
        return invite.domain_user.member.user.email


@admin.register(UserRole)
class UserRoleAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """User roles: the built-in four (read-only) and the school's custom ones."""

    form = UniqueInSchoolForm
    list_display = ["title", "role", "builtin"]
    list_filter = ["builtin", "role"]
    search_fields = ["title"]
    readonly_fields = ["id", "builtin", "created_at", "updated_at"]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.unique_field = "title"
        return form

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.builtin:
            fields += ["title", "role"]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.builtin)

    def save_model(self, request: HttpRequest, obj: UserRole, form, change: bool) -> None:
        data = {
            name: form.cleaned_data[name]
            for name in roles.USER_ROLE_FIELDS
            if name in form.cleaned_data
        }
        try:
            if change:
                changed = {k: v for k, v in data.items() if k in form.changed_data}
                current = UserRole.objects.get(pk=obj.pk)
                roles.user_role_update(user_role=current, **changed)
                return
            role = roles.user_role_create(school=self._school_for(request, obj), **data)
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = role.pk, role.school


class SegmentForm(UniqueInSchoolForm):
    def clean_filters(self) -> dict:
        try:
            return segments.segment_filters_clean(self.cleaned_data.get("filters"))
        except ApiError as exc:
            raise forms.ValidationError(str(exc.detail)) from None


@admin.register(Segment)
class SegmentAdmin(SchoolFormMixin, SchoolScopedAdmin):
    """Saved filters over the school's users (keys: see the README)."""

    form = SegmentForm
    list_display = ["name", "description", "updated_at"]
    search_fields = ["name"]
    readonly_fields = ["id", "members_now", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Segment, form, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in ("name", "description", "filters")}
        try:
            if change:
                changed = {k: v for k, v in data.items() if k in form.changed_data}
                segments.segment_update(segment=Segment.objects.get(pk=obj.pk), **changed)
                return
            segment = segments.segment_create(school=self._school_for(request, obj), **data)
        except ApiError as exc:
            _report(request, exc)
            return
        obj.pk, obj.school = segment.pk, segment.school

    @admin.display(description="Users in the segment now")
    def members_now(self, segment: Segment) -> int:
        if segment.pk is None:
            return 0
        return segments.segment_members(segment=segment).count()
