from drf_spectacular.types import OpenApiTypes

from govcloud.core.uploads import SIGNATURES

# A stored document as the API sends it: one of the types uploads accept (core/uploads.py), with
# its own content type, as the schema must name it.
FILE_RESPONSE = {(200, kind.content_type): OpenApiTypes.BINARY for _magic, kind in SIGNATURES}
