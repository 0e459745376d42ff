from govcloud.applications.tests.helpers import wf  # noqa: F401  (the workflow fixture)
from govcloud.delivery.tests.cloud import cloud, libvirt_hosts  # noqa: F401  (libvirt test hypervisor)
