"""The schools admin, one module per subdomain; importing this package registers every admin
once (Django's autodiscovery imports ``apps.schools.admin``)."""

from apps.schools.admin import (  # noqa: F401  (imported to register the admins)
    access_codes,
    domains,
    groups,
    invites,
    people,
    roles,
    signup_fields,
)
