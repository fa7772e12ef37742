"""The schools admin, one module per subdomain; importing this package registers every admin
once (Django's autodiscovery imports ``apps.schools.admin``), and gives the admin site its
sign-in form for per-school accounts."""

from django.contrib import admin

from apps.schools.admin import (  # noqa: F401  (imported to register the admins)
    access_codes,
    domains,
    groups,
    invites,
    people,
    roles,
    signup_fields,
)
from apps.schools.admin.login import SchoolAdminAuthenticationForm

admin.site.login_form = SchoolAdminAuthenticationForm
admin.site.login_template = "admin/school_login.html"
