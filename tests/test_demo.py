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
