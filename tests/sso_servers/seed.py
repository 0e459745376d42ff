"""Users and client registrations of the test platform (run by harness.py inside its project)."""

import json
import os

from django.contrib.auth.models import User
from oauth2_provider.models import Application

from tests.sso_servers.harness import PASSWORD

USERS = [
    # username, e-mail, display name, last name ("MFA": the platform asserts a second factor)
    ("wang.wu", "wangwu@dept-a.example.gov.cn", "王五", ""),
    ("new.person", "newperson@dept-a.example.gov.cn", "新同事", ""),
    ("sys.admin", "sysadmin@center.example.gov.cn", "系统管理员甲", ""),
    ("sys.admin.mfa", "sysadmin2@center.example.gov.cn", "系统管理员乙", "MFA"),
]


def run() -> None:
    config = json.loads(os.environ["SSO_SERVER_SEED"])
    for username, email, name, last in USERS:
        User.objects.create_user(username, email, PASSWORD, first_name=name, last_name=last)
    common = {
        "client_type": Application.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
        "redirect_uris": " ".join(config["redirect_uris"]),
        "post_logout_redirect_uris": " ".join(config["post_logout_redirect_uris"]),
    }
    Application.objects.create(name="GovCloud", client_id="govcloud", client_secret=config["client_secret"], **common)
    Application.objects.create(name="Another app", client_id="other-app", client_secret="other-secret", **common)
