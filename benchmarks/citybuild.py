"""The organizations every city benchmark starts from: the city government, one organization beside
the departments (the e-government center, or the cloud provider) and N departments, with their tree
paths set in bulk (two queries, whatever N). Called after django.setup() by the benchmark scripts."""

from __future__ import annotations

CONTACT = {"contact_name": "基准", "contact_phone": "0523-00000000"}


def organizations(departments: int, *, beside_kind: str, beside_name: str):
    """(city, the organization beside the departments, [departments])."""
    from govcloud.organizations.credit_codes import make_credit_code
    from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel

    city = Organization.objects.create(
        name="基准市人民政府",
        kind=OrganizationKind.DEPARTMENT,
        level=OrganizationLevel.CITY,
        credit_code=make_credit_code(9_000_001),
        **CONTACT,
    )
    Organization.objects.filter(pk=city.pk).update(path=f"/{city.pk}/")
    city.path = f"/{city.pk}/"
    beside = Organization.objects.create(
        name=beside_name,
        kind=beside_kind,
        level=OrganizationLevel.DEPARTMENT,
        parent=city,
        credit_code=make_credit_code(9_000_002),
        **CONTACT,
    )
    depts = Organization.objects.bulk_create(
        Organization(
            name=f"基准部门{i:03d}",
            kind=OrganizationKind.DEPARTMENT,
            level=OrganizationLevel.DEPARTMENT,
            parent=city,
            credit_code=make_credit_code(9_100_000 + i),
            **CONTACT,
        )
        for i in range(departments)
    )
    for org in [beside, *depts]:
        org.path, org.depth = f"{city.path}{org.pk}/", 1
    Organization.objects.bulk_update([beside, *depts], ["path", "depth"], batch_size=500)
    return city, beside, depts
