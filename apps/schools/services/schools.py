"""Writes of schools themselves: creating a school, its sandbox, and its API keys."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from apps.core.credentials import ALL_SCOPES, WILDCARD_SCOPE
from apps.core.errors import Conflict, InvalidInput, conflict_on_duplicate
from apps.schools.codes import SchoolErrorCode
from apps.schools.models import (
    ApiKey,
    School,
    User,
)
from apps.schools.services.people import _refuse_control_characters
from apps.schools.services.roles import user_roles_ensure


@transaction.atomic
def school_create(*, name: str, slug: str) -> tuple[School, bool]:
    """Create a school with its built-in user roles, or return the one with this slug
    (renaming it to ``name``). Slugs ending in ``--sandbox`` are kept for sandboxes."""
    if slug.endswith(School.SANDBOX_SLUG_SUFFIX):
        raise InvalidInput(
            f"Slugs ending in {School.SANDBOX_SLUG_SUFFIX} name sandboxes.",
            code=SchoolErrorCode.SLUG_RESERVED,
            field="slug",
        )
    school, created = School.objects.get_or_create(slug=slug, defaults={"name": name})
    if not created and school.name != name:
        school.name = name
        school.save(update_fields=["name", "updated_at"])
        School.objects.filter(live_school=school).update(name=_sandbox_name(school))
    user_roles_ensure(school=school)
    return school, created


@transaction.atomic
def school_update(
    *,
    school: School,
    name: str | None = None,
    slug: str | None = None,
    is_active: bool | None = None,
) -> School:
    """Rename a live school, change its slug or switch it on or off; its sandbox follows
    (name and slug). A sandbox is changed through its live school only."""
    if school.is_sandbox:
        raise InvalidInput(
            "A sandbox follows its live school: change the live school.",
            code=SchoolErrorCode.SANDBOX_READONLY,
        )
    if slug is not None and slug.endswith(School.SANDBOX_SLUG_SUFFIX):
        raise InvalidInput(
            f"Slugs ending in {School.SANDBOX_SLUG_SUFFIX} name sandboxes.",
            code=SchoolErrorCode.SLUG_RESERVED,
            field="slug",
        )
    wanted = {"name": name, "slug": slug, "is_active": is_active}
    changed = [k for k, v in wanted.items() if v is not None and getattr(school, k) != v]
    if not changed:
        return school
    for field in changed:
        setattr(school, field, wanted[field])
    taken = Conflict("Another school has this slug.", code=SchoolErrorCode.SLUG_TAKEN, field="slug")
    with conflict_on_duplicate("schools_school.slug", taken):
        school.save(update_fields=[*changed, "updated_at"])
        if "name" in changed or "slug" in changed:
            School.objects.filter(live_school=school).update(
                name=_sandbox_name(school), slug=school.slug + School.SANDBOX_SLUG_SUFFIX
            )
    return school


def _sandbox_name(school: School) -> str:
    return f"{school.name} (sandbox)"


@transaction.atomic
def school_sandbox(*, school: School) -> School:
    """The school's sandbox, the tenant its test keys act on; made on first use.

    A sandbox is its own school (own users, groups, webhooks, events …) linked to the
    live one; asked of a sandbox, returns it.
    """
    if school.is_sandbox:
        return school
    live = School.objects.select_for_update().get(pk=school.pk)  # one sandbox per school
    sandbox = School.objects.filter(live_school=live).first()
    if sandbox is None:
        sandbox = School.objects.create(
            name=_sandbox_name(live),
            slug=live.slug + School.SANDBOX_SLUG_SUFFIX,
            live_school=live,
        )
        user_roles_ensure(school=sandbox)
    return sandbox


def validate_scopes(scopes: Iterable[str]) -> list[str]:
    """Return the scopes de-duplicated in canonical order; unknown names are 400."""
    wanted = list(dict.fromkeys(scopes))
    unknown = [s for s in wanted if s != WILDCARD_SCOPE and s not in ALL_SCOPES]
    if unknown:
        raise InvalidInput(
            f"Unknown scope(s): {', '.join(unknown)}.",
            code=SchoolErrorCode.UNKNOWN_SCOPE,
            field="scopes",
        )
    if WILDCARD_SCOPE in wanted:
        return [WILDCARD_SCOPE]
    return [s for s in ALL_SCOPES if s in wanted]


@transaction.atomic
def api_key_create(
    *,
    school: School,
    name: str,
    scopes: Iterable[str] = (WILDCARD_SCOPE,),
    test: bool = False,
    created_by: User | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never shown again.

    Keys belong to live schools; a test key (``sk_test_``) acts on the school's sandbox,
    made here with the school's first test key.
    """
    if school.is_sandbox:
        raise InvalidInput(
            "A sandbox has no keys of its own: create a test key on its live school.",
            code=SchoolErrorCode.SANDBOX_KEY,
            field="school",
        )
    if test:
        school_sandbox(school=school)
    secret = ApiKey.generate_secret(test=test)
    key = ApiKey.objects.create(
        school=school,
        name=name,
        prefix=secret[:12],
        key_hash=ApiKey.hash_secret(secret),
        is_test=test,
        scopes=validate_scopes(scopes),
        created_by=created_by,
    )
    return key, secret


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke a key at once; requests with it get 401 from now on."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


def api_key_rename(*, api_key: ApiKey, name: str) -> ApiKey:
    """Give a key another name (its secret, scopes and mode never change)."""
    name = name.strip()
    if not name:
        raise InvalidInput("A key needs a name.", code=SchoolErrorCode.NAME_REQUIRED, field="name")
    _refuse_control_characters(name, "name")
    if name != api_key.name:
        api_key.name = name
        api_key.save(update_fields=["name", "updated_at"])
    return api_key
