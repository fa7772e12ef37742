"""Assets and web packages: their import state, the reason of a failure, and a retry."""

from django.contrib import admin, messages
from django.http import HttpRequest

from apps.catalog.models import Asset, ImportState, WebPackage
from apps.catalog.services import content as content_services
from apps.core.admin import SchoolScopedAdmin, admin_school
from apps.core.errors import ApiError


class _Retry:
    """A "Retry failed imports" action over FAILED rows."""

    retry_service = None

    @admin.action(description="Retry failed imports")
    def retry_import(self, request: HttpRequest, queryset) -> None:
        started = 0
        for row in queryset.filter(state=ImportState.FAILED):
            try:
                type(self).retry_service(row)
                started += 1
            except ApiError as exc:
                messages.error(request, f"{row}: {exc.detail}")
        messages.info(request, f"{started} import(s) started again.")


@admin.register(Asset)
class AssetAdmin(_Retry, SchoolScopedAdmin):
    """Hosted files and embeds; a failed import shows why and can be retried."""

    list_display = ["name", "type", "state", "failure_reason", "created_at"]
    list_filter = ["state", "type"]
    search_fields = ["name"]
    readonly_fields = [
        "id",
        "type",
        "state",
        "failure_reason",
        "content_type",
        "size_bytes",
        "created_at",
        "updated_at",
    ]
    fields = [
        "id",
        "name",
        "content_url",
        "embed_link_url",
        "aspect_ratio",
        "sync_completion",
        *readonly_fields[1:],
    ]
    actions = ["retry_import"]

    @staticmethod
    def retry_service(asset: Asset):
        return content_services.asset_import_retry(asset=asset)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "content_url"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: Asset, form, change: bool) -> None:
        data = {k: v for k, v in form.cleaned_data.items() if k in content_services.ASSET_FIELDS}
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            content_services.asset_update(asset=Asset.objects.get(pk=obj.pk), **changed)
            return
        asset, _job = content_services.asset_create(
            school=admin_school(request) or obj.school,
            content_url=form.cleaned_data.get("content_url") or None,
            **data,
        )
        obj.pk, obj.school = asset.pk, asset.school

    def delete_with_service(self, request: HttpRequest, obj: Asset) -> None:
        """Refused while a lesson shows it; the hosted file goes with it."""
        content_services.asset_delete(asset=obj)


@admin.register(WebPackage)
class WebPackageAdmin(_Retry, SchoolScopedAdmin):
    """SCORM, xAPI and AICC packages; a failed import shows why and can be retried."""

    list_display = ["title", "type", "version", "state", "failure_reason", "created_at"]
    list_filter = ["state", "type"]
    search_fields = ["title"]
    readonly_fields = [
        "id",
        "type",
        "version",
        "state",
        "failure_reason",
        "launch_path",
        "created_at",
        "updated_at",
    ]
    fields = [
        "id",
        "title",
        "content_url",
        "redirect_on_completion",
        "sync_completion",
        *readonly_fields[1:],
    ]
    actions = ["retry_import"]

    @staticmethod
    def retry_service(package: WebPackage):
        return content_services.web_package_import_retry(web_package=package)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "content_url"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: WebPackage, form, change: bool) -> None:
        data = {
            k: v for k, v in form.cleaned_data.items() if k in content_services.WEB_PACKAGE_FIELDS
        }
        if change:
            changed = {k: v for k, v in data.items() if k in form.changed_data}
            content_services.web_package_update(
                web_package=WebPackage.objects.get(pk=obj.pk), **changed
            )
            return
        package, _job = content_services.web_package_create(
            school=admin_school(request) or obj.school,
            content_url=form.cleaned_data["content_url"],
            **data,
        )
        obj.pk, obj.school = package.pk, package.school
