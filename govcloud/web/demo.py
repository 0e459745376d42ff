"""Demo data for a Taizhou-like city: the center, the provider, finance, the leading group, city
departments and districts with units, and users for every role. Idempotent: running it again
changes nothing that exists; everything goes through the services, as `system`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from govcloud.applications import demo as applications_demo
from govcloud.assessment import demo as assessment_demo
from govcloud.audit.services import audit_record
from govcloud.billing import demo as billing_demo
from govcloud.budgets import demo as budgets_demo
from govcloud.catalog import demo as catalog_demo
from govcloud.core.actors import SYSTEM
from govcloud.core.roles import Role
from govcloud.guide import demo as guide_demo
from govcloud.incidents import demo as incidents_demo
from govcloud.ledger import demo as ledger_demo
from govcloud.maintenance import demo as maintenance_demo
from govcloud.monitoring import demo as monitoring_demo
from govcloud.monitoring import demo_alerts as monitoring_alerts_demo
from govcloud.monitoring import demo_imports as monitoring_imports_demo
from govcloud.organizations import services
from govcloud.organizations.credit_codes import make_credit_code
from govcloud.organizations.models import Organization, OrganizationKind, OrganizationLevel, User
from govcloud.reports import demo as reports_demo
from govcloud.security import demo as security_demo
from govcloud.systems import demo as systems_demo
from govcloud.waste import demo as waste_demo
from govcloud.workdays.services import calendar_seed_from_package

DEMO_PASSWORD = "Zwy@Demo2026"

K, L = OrganizationKind, OrganizationLevel


@dataclass(frozen=True)
class OrgSpec:
    key: str
    name: str
    kind: str
    level: str
    parent: str | None
    contact: str
    short: str = ""


ORGANIZATIONS = [
    OrgSpec("city", "泰州市人民政府", K.DEPARTMENT, L.CITY, None, "周海"),
    OrgSpec("center", "泰州市电子政务中心", K.CENTER, L.DEPARTMENT, "city", "王建国", "电子政务中心"),
    OrgSpec("provider", "泰州政务云运营服务有限公司", K.PROVIDER, L.DEPARTMENT, "city", "陈立新", "云服务商"),
    OrgSpec("finance", "泰州市财政局", K.FINANCE, L.DEPARTMENT, "city", "刘芳", "市财政局"),
    OrgSpec("leading", "泰州市电子政务工作领导小组", K.LEADING_GROUP, L.DEPARTMENT, "city", "赵志强", "领导小组"),
    OrgSpec("gaj", "泰州市公安局", K.DEPARTMENT, L.DEPARTMENT, "city", "孙伟", "市公安局"),
    OrgSpec("gaj_jj", "泰州市公安局交通警察支队", K.DEPARTMENT, L.UNIT, "gaj", "钱磊", "交警支队"),
    OrgSpec("wjw", "泰州市卫生健康委员会", K.DEPARTMENT, L.DEPARTMENT, "city", "吴静", "市卫健委"),
    OrgSpec("wjw_cdc", "泰州市疾病预防控制中心", K.DEPARTMENT, L.UNIT, "wjw", "郑洁", "市疾控中心"),
    OrgSpec("jyj", "泰州市教育局", K.DEPARTMENT, L.DEPARTMENT, "city", "冯涛", "市教育局"),
    OrgSpec("zrzy", "泰州市自然资源和规划局", K.DEPARTMENT, L.DEPARTMENT, "city", "陈晨", "市自然资源局"),
    OrgSpec("scjg", "泰州市市场监督管理局", K.DEPARTMENT, L.DEPARTMENT, "city", "褚明", "市市场监管局"),
    OrgSpec("rsj", "泰州市人力资源和社会保障局", K.DEPARTMENT, L.DEPARTMENT, "city", "卫红", "市人社局"),
    OrgSpec("hailing", "泰州市海陵区人民政府", K.DEPARTMENT, L.DISTRICT, "city", "蒋勇", "海陵区"),
    OrgSpec("hailing_jy", "海陵区教育局", K.DEPARTMENT, L.DEPARTMENT, "hailing", "沈丽", "海陵区教育局"),
    OrgSpec("gaogang", "泰州市高港区人民政府", K.DEPARTMENT, L.DISTRICT, "city", "韩斌", "高港区"),
    OrgSpec("jiangyan", "泰州市姜堰区人民政府", K.DEPARTMENT, L.DISTRICT, "city", "杨帆", "姜堰区"),
    OrgSpec("jingjiang", "靖江市人民政府", K.DEPARTMENT, L.DISTRICT, "city", "朱琳", "靖江市"),
    OrgSpec("taixing", "泰兴市人民政府", K.DEPARTMENT, L.DISTRICT, "city", "秦刚", "泰兴市"),
    OrgSpec("xinghua", "兴化市人民政府", K.DEPARTMENT, L.DISTRICT, "city", "尤佳", "兴化市"),
    OrgSpec("xinghua_wjw", "兴化市卫生健康委员会", K.DEPARTMENT, L.DEPARTMENT, "xinghua", "许亮", "兴化市卫健委"),
    OrgSpec("yyg", "泰州医药高新技术产业开发区管理委员会", K.DEPARTMENT, L.DISTRICT, "city", "何平", "医药高新区"),
]

R = Role
USERS = [
    # username, full name, organization key, title, roles
    ("center_admin", "王建国", "center", "主任", {R.CENTER_ADMIN}),
    ("center_reviewer", "李敏", "center", "审核员", {R.CENTER_REVIEWER}),
    ("sysadmin", "张磊", "center", "系统管理员", {R.SYSTEM_ADMIN}),
    ("secadmin", "黄婷", "center", "安全管理员", {R.SECURITY_ADMIN}),
    ("auditadmin", "林涛", "center", "审计管理员", {R.AUDIT_ADMIN}),
    ("expert_xu", "徐教授", "center", "评审专家", {R.EXPERT}),
    ("expert_ma", "马高工", "center", "评审专家", {R.EXPERT}),
    ("expert_gao", "高研究员", "center", "评审专家", {R.EXPERT}),
    ("provider_ops", "陈立新", "provider", "运维工程师", {R.PROVIDER_OPERATOR}),
    ("finance", "刘芳", "finance", "预算科科长", {R.FINANCE_VIEWER}),
    ("leader", "赵志强", "leading", "副组长", {R.LEADING_GROUP}),
    ("gaj_applicant", "孙伟", "gaj", "信息科科员", {R.DEPARTMENT_APPLICANT}),
    ("gaj_head", "周强", "gaj", "科技信息化处处长", {R.DEPARTMENT_HEAD}),
    ("gaj_security", "吴昊", "gaj", "网络安全专员", {R.DEPARTMENT_SECURITY_OFFICER}),
    ("jj_applicant", "钱磊", "gaj_jj", "信息员", {R.DEPARTMENT_APPLICANT}),
    ("wjw_applicant", "吴静", "wjw", "信息中心科员", {R.DEPARTMENT_APPLICANT}),
    ("wjw_head", "郑华", "wjw", "信息中心主任", {R.DEPARTMENT_HEAD}),
    ("wjw_security", "王芳", "wjw", "网络安全专员", {R.DEPARTMENT_SECURITY_OFFICER}),
    ("jyj_applicant", "冯涛", "jyj", "电教馆科员", {R.DEPARTMENT_APPLICANT}),
    ("jyj_head", "陈刚", "jyj", "电教馆馆长", {R.DEPARTMENT_HEAD}),
    ("hailing_applicant", "蒋勇", "hailing", "大数据中心科员", {R.DEPARTMENT_APPLICANT}),
    ("hailing_head", "沈军", "hailing", "大数据中心主任", {R.DEPARTMENT_HEAD}),
    ("xinghua_applicant", "尤佳", "xinghua", "大数据中心科员", {R.DEPARTMENT_APPLICANT}),
    ("finance_applicant", "曹敏", "finance", "信息科科员", {R.DEPARTMENT_APPLICANT}),
]


def _phone(index: int) -> str:
    return f"0523-8683{index:04d}"


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing; return counts of what was created."""
    created = {"organizations": 0, "users": 0}
    calendar_seed_from_package(actor=SYSTEM)
    by_key: dict[str, Organization] = {}
    for index, spec in enumerate(ORGANIZATIONS, start=1):
        code = make_credit_code(71_000_000 + index * 37)
        org = Organization.objects.filter(credit_code=code).first()
        if org is None:
            org = services.organization_create(
                actor=SYSTEM,
                name=spec.name,
                short_name=spec.short,
                kind=spec.kind,
                level=spec.level,
                parent=by_key[spec.parent] if spec.parent else None,
                credit_code=code,
                contact_name=spec.contact,
                contact_phone=_phone(index),
            )
            created["organizations"] += 1
        by_key[spec.key] = org
    for index, (username, name, org_key, title, roles) in enumerate(USERS, start=1):
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _password = services.user_create(
                actor=SYSTEM,
                username=username,
                full_name=name,
                organization=by_key[org_key],
                title=title,
                email=f"{username}@example.gov.cn",
                phone=f"1380523{index:04d}",
                password=DEMO_PASSWORD,
                must_change_password=False,
            )
            services.user_set_roles(actor=SYSTEM, user=user, roles=set(roles))
            created["users"] += 1
    users = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in USERS])}
    # Each capability adds its demo records (idempotent too).
    systems_demo.load_demo(orgs=by_key, users=users)
    guide_demo.load_demo(orgs=by_key, users=users)
    catalog_demo.load_demo(orgs=by_key, users=users)
    ledger_demo.load_demo(orgs=by_key, users=users)
    # After the ledger: access grants name ledger resources (Art. 18).
    security_demo.load_demo(orgs=by_key, users=users)
    maintenance_demo.load_demo(orgs=by_key, users=users)
    applications_demo.load_demo(orgs=by_key, users=users)
    billing_demo.load_demo(orgs=by_key, users=users)
    budgets_demo.load_demo(orgs=by_key, users=users)
    incidents_demo.load_demo(orgs=by_key, users=users)
    monitoring_demo.load_demo(orgs=by_key, users=users)
    monitoring_imports_demo.load_demo(orgs=by_key, users=users)
    monitoring_alerts_demo.load_demo(orgs=by_key, users=users)
    reports_demo.load_demo(orgs=by_key, users=users)
    waste_demo.load_demo(orgs=by_key, users=users)
    assessment_demo.load_demo(orgs=by_key, users=users)
    if created["organizations"] or created["users"]:
        audit_record(
            actor=SYSTEM,
            action="demo.load",
            message=f"demo data: {created['organizations']} organizations, {created['users']} users created",
        )
    return created
