"""``assets`` and ``web-packages`` (Skilljar v1): files hosted from a URL by a job."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.catalog.models import Asset, ImportState, WebPackage
from apps.catalog.services import content as content_services
from apps.catalog.signed_files import download_url
from apps.core.api.base import SchoolScopedViewSet
from apps.core.api.fields import LabelField, SchoolPrimaryKeyRelatedField, WebUrlField
from apps.core.api.serializers import ModelSerializer, Serializer
from apps.core.models import Job

DOWNLOAD_HELP = "A signed link to the hosted file, valid for one hour (null until READY)."


def _accepted(request, body: dict, job: Job | None) -> Response:
    """202 with the resource while its import runs (the job's URL in ``Location``), else 201."""
    if job is None:
        return Response(body, status=status.HTTP_201_CREATED)
    url = reverse("api:job-detail", kwargs={"pk": job.pk}, request=request)
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": url})


# --- assets ----------------------------------------------------------------------------------


class AssetSerializer(ModelSerializer):
    """An asset: Skilljar's fields, its import ``state`` and the reason of a failure."""

    download_url = serializers.SerializerMethodField(help_text=DOWNLOAD_HELP)
    embed_link_url = serializers.CharField(read_only=True, allow_null=True, source="embed_or_none")
    failure_reason = serializers.CharField(
        read_only=True, allow_null=True, source="failure_or_none"
    )

    class Meta:
        model = Asset
        fields = [
            "id",
            "name",
            "type",
            "embed_link_url",
            "aspect_ratio",
            "sync_completion",
            "download_url",
            "state",
            "failure_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_download_url(self, asset: Asset) -> str | None:
        if asset.state != ImportState.READY or not asset.file:
            return None
        return download_url(kind="asset", row_id=asset.id, name=asset.file)


class AssetFieldsSerializer(Serializer):
    name = LabelField(max_length=255, required=False, help_text="Default: from the URL.")
    embed_link_url = WebUrlField(required=False, help_text="Needed when content_url is not given.")
    aspect_ratio = serializers.ChoiceField(choices=Asset.AspectRatio.choices, required=False)
    sync_completion = serializers.BooleanField(required=False)


class AssetCreateSerializer(Serializer):
    content_url = WebUrlField(
        required=False,
        help_text="A file to download and host (https); or give asset.embed_link_url.",
    )
    asset = AssetFieldsSerializer(required=False)


@extend_schema_view(
    list=extend_schema(summary="List assets"),
    retrieve=extend_schema(summary="Get an asset"),
    create=extend_schema(
        summary="Create an asset (hosted from content_url, or an embed)",
        request=AssetCreateSerializer,
        responses={
            201: OpenApiResponse(AssetSerializer, description="An embed, ready at once."),
            202: OpenApiResponse(
                AssetSerializer,
                description="PROCESSING: the file is being downloaded (Location: the job).",
            ),
        },
    ),
)
class AssetViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, SchoolScopedViewSet
):
    """Videos, documents and embeds lessons show (100 per page)."""

    queryset = Asset.objects.all()
    serializer_class = AssetSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "asset_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("id")

    def create(self, request) -> Response:
        serializer = AssetCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        asset, job = content_services.asset_create(
            school=self.school,
            content_url=data.get("content_url"),
            credential=self.credential,
            **data.get("asset", {}),
        )
        return _accepted(request, AssetSerializer(asset).data, job)


# --- web packages ----------------------------------------------------------------------------


class WebPackageSerializer(ModelSerializer):
    """A web package: Skilljar's fields, plus the standard's version, the launch file and
    the reason of a failure."""

    type = serializers.ChoiceField(
        choices=WebPackage.Type.choices, read_only=True, allow_null=True, source="type_or_none"
    )
    download_url = serializers.SerializerMethodField(help_text=DOWNLOAD_HELP)
    version = serializers.CharField(read_only=True, allow_null=True, source="version_or_none")
    launch_path = serializers.CharField(read_only=True, allow_null=True, source="launch_or_none")
    failure_reason = serializers.CharField(
        read_only=True, allow_null=True, source="failure_or_none"
    )

    class Meta:
        model = WebPackage
        fields = [
            "id",
            "type",
            "download_url",
            "redirect_on_completion",
            "state",
            "sync_completion",
            "title",
            "version",
            "launch_path",
            "failure_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_download_url(self, package: WebPackage) -> str | None:
        if package.state != ImportState.READY or not package.archive:
            return None
        return download_url(kind="web_package", row_id=package.id, name=package.archive)


class WebPackageCreatedSerializer(WebPackageSerializer):
    """The creation answer: still processing, so without ``type`` and ``download_url``."""

    class Meta(WebPackageSerializer.Meta):
        fields = [f for f in WebPackageSerializer.Meta.fields if f not in ("type", "download_url")]
        read_only_fields = fields


class WebPackageFieldsSerializer(Serializer):
    title = LabelField(max_length=255, help_text="Replaced by the package's own title.")
    redirect_on_completion = serializers.BooleanField(required=False)
    sync_on_completion = serializers.BooleanField(
        required=False, source="sync_completion", help_text="Read back as sync_completion."
    )


class WebPackageCreateSerializer(Serializer):
    content_url = WebUrlField(help_text="The package zip (https).")
    web_package = WebPackageFieldsSerializer()


class WebPackageReplaceSerializer(Serializer):
    web_package_id = SchoolPrimaryKeyRelatedField(
        queryset=WebPackage.objects.all(),
        help_text="The web package that replaces this one in its lessons.",
    )


class WebPackageReplacedSerializer(Serializer):
    web_package_id = serializers.CharField(help_text="The package the lessons now use.")
    updated_lessons = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary="List web packages"),
    retrieve=extend_schema(summary="Get a web package"),
    create=extend_schema(
        summary="Create a web package from a zip at content_url",
        request=WebPackageCreateSerializer,
        responses={
            202: OpenApiResponse(
                WebPackageCreatedSerializer,
                description="PROCESSING: being downloaded and checked (Location: the job).",
            )
        },
    ),
)
class WebPackageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, SchoolScopedViewSet
):
    """SCORM 1.2/2004, xAPI and AICC packages (100 per page)."""

    queryset = WebPackage.objects.all()
    serializer_class = WebPackageSerializer
    scopes = ("read:courses", "write:courses")
    allow_user_tokens = False
    lookup_url_kwarg = "web_package_id"

    def scope_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset.order_by("id")

    def create(self, request) -> Response:
        serializer = WebPackageCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        package, job = content_services.web_package_create(
            school=self.school,
            content_url=data["content_url"],
            credential=self.credential,
            **data["web_package"],
        )
        return _accepted(request, WebPackageCreatedSerializer(package).data, job)

    @extend_schema(
        summary="Use another web package in every lesson that uses this one",
        request=WebPackageReplaceSerializer,
        responses=WebPackageReplacedSerializer,
    )
    @action(detail=True, methods=["post"], url_path="lessons")
    def lessons(self, request, web_package_id: str | None = None) -> Response:
        package = self.get_object()
        serializer = WebPackageReplaceSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        replacement = serializer.validated_data["web_package_id"]
        count = content_services.web_package_lessons_replace(
            web_package=package, replacement=replacement
        )
        return Response({"web_package_id": replacement.id, "updated_lessons": count})
