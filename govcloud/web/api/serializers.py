from rest_framework import serializers

from govcloud.core.models import Job


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "label",
            "status",
            "percent",
            "progress_done",
            "progress_total",
            "message",
            "result",
            "result_filename",
            "download_url",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download_url(self, job) -> str | None:
        from django.urls import reverse

        return reverse("web:job_download", args=[job.pk]) if job.result_file else None
