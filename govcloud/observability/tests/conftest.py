from govcloud.applications.tests.helpers import wf  # noqa: F401  (the workflow fixture)
