from django.core.management.base import BaseCommand

from govcloud.core.roles import TOTP_REQUIRED_ROLES
from govcloud.web.demo import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Print the demo URL and logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://localhost:8000/")

    def handle(self, *args, url: str, **options):
        lines = [
            "",
            "=" * 78,
            f"  GovCloud 政务云平台管理系统 is running at  {url}",
            f"  Demo logins (every password: {DEMO_PASSWORD}):",
            "",
        ]
        for username, name, _org, _title, roles in USERS:
            role_text = ", ".join(sorted(r.value for r in roles))
            note = "  (sets up TOTP at first login)" if roles & TOTP_REQUIRED_ROLES else ""
            lines.append(f"    {username:<20} {name:<8} {role_text}{note}")
        lines += ["", "  Stop with Ctrl-C.", "=" * 78, ""]
        self.stdout.write("\n".join(lines))
