"""Responses shared by every app."""

from rest_framework import status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from apps.core.api.serializers import JobSerializer
from apps.core.models import Job


def job_accepted(request, job: Job) -> Response:
    """202 Accepted with the job's body and its URL in ``Location``."""
    url = reverse("api:job-detail", kwargs={"pk": job.pk}, request=request)
    return Response(
        JobSerializer(job).data, status=status.HTTP_202_ACCEPTED, headers={"Location": url}
    )
