# The idempotency tests drive the application workflow, the concrete case.
from govcloud.applications.tests.helpers import wf  # noqa: F401  (the workflow fixture)
