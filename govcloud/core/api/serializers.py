from rest_framework import serializers


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
