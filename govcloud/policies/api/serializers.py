from rest_framework import serializers


class PolicySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField()
    value = serializers.CharField()
    default = serializers.CharField()
    minimum = serializers.IntegerField(allow_null=True)
    maximum = serializers.IntegerField(allow_null=True)
    source = serializers.CharField()
    editable = serializers.BooleanField()


class PolicyUpdateSerializer(serializers.Serializer):
    value = serializers.CharField(max_length=16)
