"""Demo information systems; called by govcloud/web/demo.py with the demo organizations and users.

A realistic mix for a Taizhou-like city: systems on the platform, migrating, still in a machine
room with an overdue plan, one exempted after a completed expert review and leading-group approval,
one classified system (name only), one with an out-of-date assessment, one with an overdue
rectification, and one internet-facing system (泰州市卫生健康委员会 / 预约挂号平台: the security demo adds
its address filing and the 443 port).

Idempotent: a system that exists (by owning unit and name) is left as it is. Registry and MLPS
records go through the services as `system`; the exemption is walked through its workflow by the
demo's department user, center administrator, experts and leading-group member, so its timeline
reads as it would in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.systems import services
from govcloud.systems.models import AttachmentKind, HostingStatus, InformationSystem

H = HostingStatus
PROVINCIAL_CENTER = "江苏省信息安全测评中心"
CITY_BODY = "泰州市网络与信息安全测评中心"
FILING_AUTHORITY = "泰州市公安局网络安全保卫支队"

# The internet-facing system the security demo builds on.
INTERNET_FACING = ("wjw", "预约挂号平台")


@dataclass(frozen=True)
class Spec:
    org: str
    name: str
    status: str = H.ON_PLATFORM
    purpose: str = ""
    users_served: str = ""
    level: int | None = 3
    # Days relative to today (negative: in the past).
    planned_in_days: int | None = None
    filing_days_ago: int | None = 420
    assessment_days_ago: int | None = 150
    assessment_body: str = PROVINCIAL_CENTER
    score: str = "86.50"
    internet_facing: bool = False
    personal_information: bool = False
    important_data: bool = False
    classified: bool = False
    overdue_rectification: bool = False
    open_rectification: bool = False
    exempted: bool = False
    # System manager, security and confidentiality, security auditor (Art. 16).
    people: tuple[str, str, str] = ("", "", "")


def _people(names: tuple[str, str, str], index: int) -> dict:
    duties = ("system_manager", "security_confidentiality", "security_auditor")
    return {
        duty: {"name": name, "phone": f"1390523{index:02d}{n:02d}"}
        for n, (duty, name) in enumerate(zip(duties, names, strict=True))
    }


SPECS = [
    Spec(
        "wjw",
        "预约挂号平台",
        purpose="全市二级以上医院统一预约挂号、诊间支付和检查检验报告查询。",
        users_served="市民（日均约3万人次）",
        internet_facing=True,
        personal_information=True,
        important_data=True,
        score="88.20",
        people=("郑华", "王芳", "吴静"),
    ),
    Spec("gaj", "公安专网指挥调度系统", classified=True, level=None),
    Spec(
        "gaj_jj",
        "交通违法处理系统",
        purpose="非现场执法数据审核、违法处理和罚没款缴纳对账。",
        users_served="交警支队及各大队民警",
        personal_information=True,
        score="90.10",
        people=("钱磊", "孙伟", "吴昊"),
    ),
    Spec(
        "gaj",
        "出入境证件办理系统",
        status=H.MIGRATING,
        purpose="出入境证件受理、审批和制证信息流转。",
        users_served="出入境管理支队窗口及审批人员",
        planned_in_days=60,
        personal_information=True,
        people=("周强", "吴昊", "孙伟"),
    ),
    Spec(
        "wjw_cdc",
        "免疫规划信息系统",
        status=H.MIGRATING,
        purpose="儿童预防接种登记、疫苗出入库和接种门诊管理。",
        users_served="全市接种门诊",
        planned_in_days=90,
        personal_information=True,
        assessment_body=CITY_BODY,
        people=("郑洁", "王芳", "郑华"),
    ),
    Spec(
        "jyj",
        "教育资源公共服务平台",
        status=H.OWN_ROOM,
        purpose="课件、微课和试题资源的汇聚与共享。",
        users_served="全市中小学教师",
        level=2,
        planned_in_days=-120,
        assessment_days_ago=300,
        assessment_body=CITY_BODY,
        score="82.00",
        people=("陈刚", "冯涛", "韩雪"),
    ),
    Spec(
        "jyj",
        "中小学学籍管理系统",
        purpose="中小学生学籍注册、转学和毕业管理。",
        users_served="各中小学教务人员",
        level=2,
        personal_information=True,
        assessment_days_ago=200,
        people=("冯涛", "陈刚", "邵丽"),
    ),
    Spec(
        "hailing",
        "海陵区网格化社会治理平台",
        status=H.OWN_ROOM,
        purpose="网格员事件上报、分拨处置和考核，与区指挥中心大屏及专用采集终端直连。",
        users_served="区、街道、社区三级网格员",
        level=2,
        assessment_days_ago=240,
        assessment_body=CITY_BODY,
        exempted=True,
        people=("沈军", "蒋勇", "沈丽"),
    ),
    Spec(
        "xinghua",
        "兴化市农村集体资产管理系统",
        purpose="农村集体资产、资源和合同的登记与监管。",
        users_served="乡镇农经站及村会计",
        level=2,
        filing_days_ago=1100,
        assessment_days_ago=800,  # level 2: due every 24 months, so out of date
        assessment_body=CITY_BODY,
        score="80.50",
        people=("尤佳", "许亮", "顾晓东"),
    ),
    Spec(
        "zrzy",
        "不动产登记信息系统",
        purpose="不动产登记受理、审核、登簿和证书打印。",
        users_served="不动产登记中心及各区分中心",
        personal_information=True,
        important_data=True,
        overdue_rectification=True,
        open_rectification=True,
        people=("陈晨", "褚明", "丁宁"),
    ),
    Spec(
        "rsj",
        "社会保障卡服务系统",
        status=H.OWN_ROOM,
        purpose="社保卡申领、挂失、补换和金融功能激活。",
        users_served="社保卡服务网点",
        planned_in_days=200,
        filing_days_ago=None,
        assessment_days_ago=None,
        personal_information=True,
        people=("卫红", "刘洋", "曹敏"),
    ),
    Spec(
        "xinghua_wjw",
        "兴化市基层医疗卫生信息系统",
        status=H.OWN_ROOM,
        purpose="乡镇卫生院门诊、住院和公共卫生服务管理。",
        users_served="各乡镇卫生院",
        level=2,
        planned_in_days=-40,
        assessment_days_ago=400,
        assessment_body=CITY_BODY,
        personal_information=True,
        people=("许亮", "尤佳", "范文斌"),
    ),
]


def _filing_number(index: int, filed_on: date) -> str:
    # Like a public-security filing certificate number: region code, year, serial.
    return f"32120099{filed_on:%Y}-{index:05d}"


def _register(spec: Spec, index: int, org, today: date) -> InformationSystem:
    if spec.classified:
        return services.system_create(actor=SYSTEM, organization=org, name=spec.name, classified=True)
    planned = today + timedelta(days=spec.planned_in_days) if spec.planned_in_days is not None else None
    system = services.system_create(
        actor=SYSTEM,
        organization=org,
        name=spec.name,
        purpose=spec.purpose,
        hosting_status=spec.status,
        planned_migration_date=planned,
        users_served=spec.users_served,
        internet_facing=spec.internet_facing,
        holds_personal_information=spec.personal_information,
        holds_important_data=spec.important_data,
        protection_level=spec.level,
        responsible_people=_people(spec.people, index),
    )
    if spec.filing_days_ago is not None and spec.level:
        filed_on = today - timedelta(days=spec.filing_days_ago)
        services.filing_record(
            actor=SYSTEM,
            system=system,
            filing_number=_filing_number(index, filed_on),
            filed_on=filed_on,
            filing_authority=FILING_AUTHORITY,
        )
    assessment = None
    if spec.assessment_days_ago is not None and spec.level and spec.level >= 2:
        assessed_on = today - timedelta(days=spec.assessment_days_ago)
        assessment = services.assessment_record(
            actor=SYSTEM,
            system=system,
            assessing_body=spec.assessment_body,
            assessed_on=assessed_on,
            report_number=f"DJCP-{assessed_on:%Y}-{index:04d}",
            score=spec.score,
            conclusion="pass",
        )
    if spec.overdue_rectification:
        services.rectification_create(
            actor=SYSTEM,
            system=system,
            assessment=assessment,
            description="数据库审计日志留存不足六个月，需扩容审计存储并配置日志外发。",
            owner=spec.people[2],
            due_on=today - timedelta(days=20),
        )
    if spec.open_rectification:
        services.rectification_create(
            actor=SYSTEM,
            system=system,
            assessment=assessment,
            description="运维终端未启用双因素认证，需接入堡垒机统一认证。",
            owner=spec.people[0],
            due_on=today + timedelta(days=45),
        )
    return system


def minimal_pdf(title: str) -> bytes:
    """A one-page PDF saying `title` (ASCII), well-formed enough for any reader."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _exempt(system: InformationSystem, users: dict) -> None:
    """The full Art. 3 workflow: department request, center-organized expert review, leading group."""
    department = users.get("hailing_applicant") or SYSTEM
    center = users.get("center_admin") or SYSTEM
    experts = [users[name] for name in ("expert_xu", "expert_ma", "expert_gao") if name in users]
    leader = users.get("leader") or SYSTEM
    exemption = services.exemption_create(
        actor=department,
        system=system,
        reasons=(
            "平台与区指挥中心大屏、专用视频采集终端和公安视频专网边界设备直连，接口依赖本地专用硬件；"
            "迁移需同步改造约1200个终端，本年度无改造资金。申请暂缓迁移，拟于终端更新换代时一并迁移。"
        ),
    )
    services.attachment_add(
        actor=department,
        system=system,
        kind=AttachmentKind.EXEMPTION_EVIDENCE,
        upload=SimpleUploadedFile(
            "终端改造费用测算.pdf", minimal_pdf("Terminal replacement cost estimate"), "application/pdf"
        ),
        exemption=exemption,
    )
    services.exemption_submit(actor=department, exemption=exemption, comment="请中心组织专家评审。")
    services.exemption_assign_experts(actor=center, exemption=exemption, experts=experts)
    opinions = [
        "专用硬件依赖属实，短期迁移成本过高，同意暂缓迁移，建议明确终端更新时间表。",
        "同意暂缓。建议期间完成二级等保整改并接入平台统一安全监测。",
        "同意。应在有效期内编制迁移方案，避免再次申请延期。",
    ]
    for expert, opinion in zip(experts, opinions, strict=False):
        services.exemption_vote(actor=expert, exemption=exemption, vote="approve", opinion=opinion)
    services.exemption_forward(actor=center, exemption=exemption, comment="专家一致同意，报领导小组审定。")
    services.exemption_decide(
        actor=leader, exemption=exemption, approve=True, comment="同意暂缓迁移一年，到期前须提交迁移方案。"
    )


def load_demo(*, orgs: dict, users: dict) -> None:
    today = timezone.localdate()
    for index, spec in enumerate(SPECS, start=1):
        org = orgs.get(spec.org)
        if org is None or InformationSystem.objects.filter(organization=org, name=spec.name).exists():
            continue
        system = _register(spec, index, org, today)
        if spec.exempted and all(name in users for name in ("expert_xu", "expert_ma", "expert_gao")):
            _exempt(system, users)
