from django.urls import path

from apps.enrollments.views import certificate_download, certificate_verify

urlpatterns = [
    path("verify/<str:certificate_id>", certificate_verify, name="certificate-verify"),
    path("certificates/files/<str:token>", certificate_download, name="certificate-download"),
]
