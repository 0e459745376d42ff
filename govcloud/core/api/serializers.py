"""Serializer bases and the shared ones of core: the ModelSerializer every app's serializers derive from, and
the background job as the API shows it (used by every app whose export runs as a job, and by the jobs endpoint)."""

from django.urls import reverse
from rest_framework import serializers

from govcloud.core.models import Job


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer, except that a read-only field built from a blank model choice field
    keeps `allow_blank`: such a field does send "", and the schema's enum must then list it (DRF
    drops `allow_blank` from read-only fields, so drf-spectacular left "" out of the enum)."""

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        blank = kwargs.get("allow_blank", False) and "choices" in kwargs
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


class JobSerializer(ModelSerializer):
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
        # The download view is the web app's (it serves the file to its owner, audited); named,
        # not imported.
        return reverse("web:job_download", args=[job.pk]) if job.result_file else None
