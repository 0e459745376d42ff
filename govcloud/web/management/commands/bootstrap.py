"""First set-up of a production installation: the city, the e-government center and the three
separated administrators (三员分立), each with a temporary password to change at first login and a
second factor to enroll; the Annex 1 catalog and the working-day calendar are seeded. Everything
after that is done in the product by those administrators."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from govcloud.catalog.services import catalog_seed
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.organizations import services
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User
from govcloud.workdays.services import calendar_seed_from_package

ADMINS = [("sysadmin", Role.SYSTEM_ADMIN), ("secadmin", Role.SECURITY_ADMIN), ("auditadmin", Role.AUDIT_ADMIN)]


class Command(BaseCommand):
    help = "Create the city, the e-government center and the three administrator accounts."

    def add_arguments(self, parser):
        parser.add_argument("--city-name", required=True)
        parser.add_argument("--city-code", required=True, help="unified social credit code of the city government")
        parser.add_argument("--center-name", required=True)
        parser.add_argument("--center-code", required=True, help="unified social credit code of the center")
        parser.add_argument("--contact-name", required=True)
        parser.add_argument("--contact-phone", required=True)

    @transaction.atomic
    def handle(self, *args, **o):
        if User.objects.exists():
            raise CommandError("Accounts exist already: bootstrap is for an empty installation.")
        try:
            city = Organization.objects.filter(credit_code=o["city_code"]).first() or services.organization_create(
                actor=SYSTEM,
                name=o["city_name"],
                kind=OrganizationKind.DEPARTMENT,
                level=OrganizationLevel.CITY,
                parent=None,
                credit_code=o["city_code"],
                contact_name=o["contact_name"],
                contact_phone=o["contact_phone"],
            )
            center = services.organization_create(
                actor=SYSTEM,
                name=o["center_name"],
                kind=OrganizationKind.CENTER,
                level=OrganizationLevel.DEPARTMENT,
                parent=city,
                credit_code=o["center_code"],
                contact_name=o["contact_name"],
                contact_phone=o["contact_phone"],
            )
            lines = []
            for username, role in ADMINS:
                user, password = services.user_create(
                    actor=SYSTEM, username=username, full_name=str(role.label), organization=center
                )
                services.user_set_roles(actor=SYSTEM, user=user, roles={role})
                lines.append(f"  {username:<12} {role.value:<16} temporary password: {password}")
            catalog_seed(actor=SYSTEM)
            calendar_seed_from_package(actor=SYSTEM)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write("Created. Hand each password over separately; each must be changed at first login,")
        self.stdout.write("and each administrator enrolls a TOTP second factor then.")
        self.stdout.write("\n".join(lines))
