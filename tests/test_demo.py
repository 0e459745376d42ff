import pytest
from django.core.management import CommandError, call_command

from govcloud.audit.chain import verify_chain
from govcloud.core.roles import Role
from govcloud.organizations.models import Organization, User
from govcloud.web.demo import USERS

pytestmark = pytest.mark.django_db


def test_demo_loader_refuses_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    assert not User.objects.exists()


def test_demo_loader_is_idempotent_and_covers_every_role(settings, capsys):
    settings.DEBUG = False
    call_command("load_demo", "--force")
    orgs, users = Organization.objects.count(), User.objects.count()
    call_command("load_demo", "--force")
    assert (Organization.objects.count(), User.objects.count()) == (orgs, users) == (orgs, len(USERS))
    held = {role for user in User.objects.with_roles() for role in user.roles}
    assert held == set(Role)
    names = set(Organization.objects.values_list("name", flat=True))
    for expected in (
        "泰州市公安局",
        "泰州市卫生健康委员会",
        "泰州市教育局",
        "泰州市财政局",
        "泰州市海陵区人民政府",
        "泰州市高港区人民政府",
        "泰州市姜堰区人民政府",
        "靖江市人民政府",
        "泰兴市人民政府",
        "兴化市人民政府",
        "泰州医药高新技术产业开发区管理委员会",
    ):
        assert expected in names
    assert verify_chain().ok


def test_bootstrap_creates_the_three_separated_administrators(capsys):
    from govcloud.organizations.credit_codes import make_credit_code

    call_command(
        "bootstrap",
        "--city-name", "某市人民政府", "--city-code", make_credit_code(1),
        "--center-name", "某市电子政务中心", "--center-code", make_credit_code(2),
        "--contact-name", "张三", "--contact-phone", "0523-0000000",
    )  # fmt: skip
    admins = {u.username: u.roles for u in User.objects.with_roles()}
    assert admins == {
        "sysadmin": {Role.SYSTEM_ADMIN},
        "secadmin": {Role.SECURITY_ADMIN},
        "auditadmin": {Role.AUDIT_ADMIN},
    }
    assert all(u.must_change_password for u in User.objects.all())
    assert "temporary password" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command(
            "bootstrap",
            "--city-name", "x", "--city-code", make_credit_code(1), "--center-name", "y",
            "--center-code", make_credit_code(3), "--contact-name", "z", "--contact-phone", "1",
        )  # fmt: skip
