"""The OpenAPI schema's view inspector: drf-spectacular's, plus the `Idempotency-Key` header on every
creating operation (govcloud/core/idempotency.py)."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from govcloud.core import idempotency

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=idempotency.HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your choosing, unique per request you mean (a UUID; 1 to 255 visible ASCII characters). "
        "Send the same key again when you retry the request — after a timeout or a lost connection — and "
        "you get the first answer again (with the header `Idempotent-Replayed: true`) instead of a second "
        "record. The same key with a different request is refused with 422; a retry arriving while the "
        "first request is still running waits for it, or is answered 409 (retry later). Keys are per user "
        "and kept for 24 hours (the policy idempotency_key_hours)."
    ),
)


class AutoSchema(SpectacularAutoSchema):
    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if idempotency.schema_operation_takes_part(self.view, self.method):
            parameters = [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters
