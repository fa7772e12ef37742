from rest_framework import serializers

from apps.core.models import Event, Job


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "result",
            "error",
            "created_at",
            "updated_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: Job) -> dict[str, int | None]:
        return {"done": job.progress_done, "total": job.progress_total}


class EventSerializer(serializers.ModelSerializer):
    data = serializers.JSONField(source="payload")

    class Meta:
        model = Event
        fields = ["id", "type", "data", "created_at"]
        read_only_fields = fields


class PingSerializer(serializers.Serializer):
    status = serializers.CharField()
