"""The background job as the API shows it: core's model, used by every app whose export runs as a
job (audit, ledger, systems) and by the jobs endpoint."""

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

        # The download view is the web app's (it serves the file to its owner, audited); named,
        # not imported.
        return reverse("web:job_download", args=[job.pk]) if job.result_file else None
