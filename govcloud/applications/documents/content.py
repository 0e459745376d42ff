"""What the business application form (《泰州市政务云平台业务申请表》, Art. 9) says: the filled form of
one application, or the blank form with the catalog's values to tick. Both renderers (DOCX, PDF)
lay out the same `FormContent`, so the two files always say the same thing.

The form is an official document in Chinese — the department stamps it and the center files it —
so its wording is fixed here in Chinese, like the catalog's seed (Annex 1), whatever language the
person downloading it uses on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from govcloud.applications.models import (
    Application,
    ApplicationAction,
    ApplicationEvent,
    ApplicationItem,
    ApplicationKind,
    ApplicationState,
    Environment,
    TerminationMode,
)
from govcloud.catalog.models import CatalogItem, Dimension, NetworkKind, ResourceKind
from govcloud.catalog.selectors import items_for_new_applications
from govcloud.core.crypto import hmac_sm3_hex, sm3_hex
from govcloud.core.policy import Policy, policy_value
from govcloud.delivery.models import WorkOrder, WorkOrderKind, WorkOrderState
from govcloud.systems.models import MlpsFiling, ResponsibleDuty

TITLE = "泰州市政务云平台业务申请表"
BASIS = "依据《泰州市政务云平台管理办法》第八条至第十条"
ISSUER = "泰州市电子政务中心"
PLATFORM = "泰州市政务云平台"

KIND_ZH = {
    ApplicationKind.NEW: "新增资源",
    ApplicationKind.CHANGE: "资源变更",
    ApplicationKind.TERMINATION: "资源终止",
}
ENVIRONMENT_ZH = {Environment.PRODUCTION: "生产环境", Environment.TEST: "测试环境"}
TERMINATION_ZH = {TerminationMode.HANDOVER: "数据交还使用单位", TerminationMode.DESTRUCTION: "数据销毁并出具证明"}
RESOURCE_KIND_ZH = {
    ResourceKind.HOST: "云主机",
    ResourceKind.DATABASE: "云数据库",
    ResourceKind.STORAGE: "云存储",
    ResourceKind.LOAD_BALANCER: "云负载均衡",
    ResourceKind.NETWORK_ACCESS: "网络接入",
    ResourceKind.SECURITY: "安全服务",
}
NETWORK_ZH = {NetworkKind.EXTRANET: "电子政务外网", NetworkKind.INTERNET: "互联网"}
# The specification fields as Annex 1 names them, and the unit written after a value.
DIMENSION_ZH = {
    Dimension.VCPU: "CPU",
    Dimension.MEMORY_GB: "内存",
    Dimension.DISK_TYPE: "硬盘",
    Dimension.SYSTEM_DISK_GB: "系统盘",
    Dimension.DATA_DISK_GB: "数据盘",
    Dimension.OS_IMAGE: "操作系统",
    Dimension.STORAGE_GB: "存储空间",
    Dimension.STORAGE_TB: "存储空间",
    Dimension.LB_LAYER: "功能规格",
    Dimension.NETWORK: "网络",
    Dimension.BANDWIDTH_MBPS: "带宽",
    Dimension.PUBLIC_ADDRESSES: "公网地址",
}
UNIT_ZH = {
    Dimension.VCPU: "核",
    Dimension.MEMORY_GB: "GB",
    Dimension.SYSTEM_DISK_GB: "GB",
    Dimension.DATA_DISK_GB: "GB",
    Dimension.STORAGE_GB: "GB",
    Dimension.STORAGE_TB: "TB",
    Dimension.BANDWIDTH_MBPS: "Mbps",
    Dimension.PUBLIC_ADDRESSES: "个",
}
STATE_ZH = {
    ApplicationState.DRAFT: "草稿",
    ApplicationState.AWAITING_SIGNOFF: "待单位负责人确认",
    ApplicationState.SUBMITTED: "已提交",
    ApplicationState.RETURNED: "退回补正",
    ApplicationState.ACCEPTED: "已受理",
    ApplicationState.REJECTED: "未批准",
    ApplicationState.IN_DELIVERY: "已批准，开通中",
    ApplicationState.DELIVERED: "已交付测试",
    ApplicationState.TEST_FAILED: "测试未通过",
    ApplicationState.IN_SERVICE: "已开通",
    ApplicationState.COMPLETED: "已办结",
    ApplicationState.CANCELLED: "已撤销",
}
QUANTITY_UNIT_ZH = {
    ResourceKind.HOST: "台",
    ResourceKind.DATABASE: "个",
    ResourceKind.STORAGE: "份",
    ResourceKind.LOAD_BALANCER: "个",
    ResourceKind.NETWORK_ACCESS: "条",
    ResourceKind.SECURITY: "项",
}
INTERNET_RULE = (
    "接入互联网的云资源必须在上线前先完成地址报备；互联网接入的系统默认关闭80、443等端口，开放端口须另行申请。"
)


def dimension_order(dimension: str) -> int:
    values = list(Dimension.values)
    return values.index(dimension) if dimension in values else len(values)


def _number(value) -> str:
    """10 → "10", Decimal("0.50") → "0.5"."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)):,.2f}"


def local(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def mask_phone(phone: str) -> str:
    """138****0003: enough to recognize a number, not to call it."""
    phone = phone or ""
    if len(phone) < 8:
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


# --- The filled form ----------------------------------------------------------------------------------


@dataclass
class SpecPart:
    label: str
    value: str

    def __str__(self) -> str:
        return f"{self.label}：{self.value}"


@dataclass
class ItemRow:
    index: int
    name: str
    kind: str
    spec: list[SpecPart]
    quantity: str
    approved_quantity: str = ""
    approved_spec: list[SpecPart] = field(default_factory=list)
    approval_note: str = ""
    target: str = ""
    estimate: str = ""
    needed_until: str = ""
    # For a change: the resource's specification when the change was asked for.
    before_spec: list[SpecPart] = field(default_factory=list)

    @property
    def before_spec_text(self) -> str:
        return "；".join(str(p) for p in self.before_spec)

    @property
    def spec_text(self) -> str:
        return "；".join(str(p) for p in self.spec)

    @property
    def approved_spec_text(self) -> str:
        return "；".join(str(p) for p in self.approved_spec)


@dataclass
class Opinion:
    """One of the center's boxes: what was decided, by whom, when, with which comment."""

    title: str
    choices: list[tuple[str, bool]]
    signer_label: str
    signer: str = ""
    at: str = ""
    comment: str = ""

    @property
    def title_lines(self) -> list[str]:
        """“市电子政务中心受理意见” on two lines, as a narrow label column wants it."""
        for head in ("市电子政务中心", "云服务提供商", "申请单位"):
            if self.title.startswith(head):
                return [head, self.title[len(head) :]]
        return [self.title]


@dataclass
class Field:
    label: str
    value: str = ""


@dataclass
class FormContent:
    blank: bool
    number: str
    department: str
    system: str
    kinds: list[tuple[str, bool]]
    environments: list[tuple[str, bool]]
    contact_name: str
    contact_phone: str
    requested_date: str
    submitted_at: str
    purpose: str
    items: list[ItemRow]
    decided: bool
    total_estimate: str
    estimate_basis: str
    extra: list[Field]
    signoff_name: str
    signoff_at: str
    acceptance: Opinion
    approval: Opinion
    generated_at: str
    verification_code: str
    state: str = ""
    catalog: list[CatalogBlock] = field(default_factory=list)
    stamped_form_required: bool = False

    notes: list[str] = field(default_factory=list)
    # What the measures make the department state about the system (Art. 11, 16) and itself.
    credit_code: str = ""
    system_level: str = ""
    filing: str = ""
    responsible: str = ""
    ports: str = ""
    # The provider's handling box and the department's acceptance box, filled once those steps happen.
    handling: Opinion | None = None
    test_acceptance: Opinion | None = None

    title: str = TITLE
    basis: str = BASIS
    platform: str = PLATFORM

    @property
    def opinions(self) -> list[Opinion]:
        return [o for o in (self.acceptance, self.approval, self.handling, self.test_acceptance) if o is not None]


def _option_labels(items: list[ApplicationItem]) -> dict[tuple[int, str, str], str]:
    return {(o.item_id, o.dimension, o.value): o.label for i in items for o in i.catalog_item.options.all() if o.label}


def spec_parts(item_id: int, spec: dict | None, labels: dict[tuple[int, str, str], str]) -> list[SpecPart]:
    parts = []
    for dimension in sorted(spec or {}, key=dimension_order):
        raw = spec[dimension]
        if raw in (None, "") or (dimension == Dimension.DATA_DISK_GB and str(raw) in ("0", "0.0")):
            continue
        text = labels.get((item_id, dimension, str(raw)))
        if text is None:
            text = NETWORK_ZH.get(raw) if dimension == Dimension.NETWORK else None
        if text is None:
            text = f"{_number(raw)}{UNIT_ZH.get(dimension, '')}"
        label = DIMENSION_ZH.get(dimension) or str(
            Dimension(dimension).label if dimension in Dimension.values else dimension
        )
        parts.append(SpecPart(label, text))
    return parts


def _quantity(value: int | None, kind: str) -> str:
    return "" if value is None else f"{value}{QUANTITY_UNIT_ZH.get(kind, '')}"


def _approved(application: Application) -> bool:
    return application.decided_at is not None and application.state != ApplicationState.REJECTED


def form_queryset():
    """An application with everything the form shows, in a fixed number of queries."""
    return Application.objects.select_related("organization", "system", "signed_off_by").prefetch_related(
        "system__responsible_people",
        Prefetch("system__filings", queryset=MlpsFiling.objects.order_by("-filed_on", "-id"), to_attr="latest_filings"),
        Prefetch(
            "work_orders",
            queryset=WorkOrder.objects.select_related("item__catalog_item").order_by("pk"),
            to_attr="form_work_orders",
        ),
        Prefetch(
            "events",
            queryset=ApplicationEvent.objects.filter(action__in=TEST_ACTIONS).order_by("-at", "-pk"),
            to_attr="test_events",
        ),
        Prefetch(
            "items",
            queryset=ApplicationItem.objects.select_related("catalog_item", "target_resource").prefetch_related(
                "catalog_item__options"
            ),
        ),
        Prefetch(
            "events",
            queryset=ApplicationEvent.objects.filter(to_state=ApplicationState.ACCEPTED).order_by("-at", "-pk"),
            to_attr="acceptance_events",
        ),
    )


def _acceptance(application: Application) -> Opinion:
    accepted = application.accepted_at is not None
    events = getattr(application, "acceptance_events", None)
    if events is None:
        events = list(application.events.filter(to_state=ApplicationState.ACCEPTED).order_by("-at", "-pk")[:1])
    event = events[0] if events else None
    returned = application.state == ApplicationState.RETURNED
    return Opinion(
        title="市电子政务中心受理意见",
        choices=[("同意受理", accepted), ("退回补正", returned and not accepted)],
        signer_label="经办人",
        signer=event.actor_name if (accepted and event) else "",
        at=local(application.accepted_at),
        comment=event.comment if (accepted and event) else "",
    )


def _approval(application: Application) -> Opinion:
    decided = application.decided_at is not None
    rejected = application.state == ApplicationState.REJECTED
    return Opinion(
        title="市电子政务中心审批意见",
        choices=[("同意", decided and not rejected), ("不同意", decided and rejected)],
        signer_label="审批人",
        signer=application.decided_by_name if decided else "",
        at=local(application.decided_at),
        comment=application.decision_note if decided else "",
    )


LEVEL_ZH = {1: "第一级", 2: "第二级", 3: "第三级", 4: "第四级", 5: "第五级"}
DUTY_ZH = {
    ResponsibleDuty.SYSTEM_MANAGER: "系统管理员",
    ResponsibleDuty.SECURITY_CONFIDENTIALITY: "安全保密员",
    ResponsibleDuty.SECURITY_AUDITOR: "安全审计员",
}
NETWORK_SHORT_ZH = {NetworkKind.EXTRANET: "政务外网", NetworkKind.INTERNET: "互联网"}
A = ApplicationAction
TEST_ACTIONS = [A.ACCEPT_DELIVERY, A.CONFIRM_CHANGE, A.REPORT_DEFECTS]
DEFAULT_PORTS = "无"


def _system_details(application: Application, *, reveal_phone: bool) -> tuple[str, str, str]:
    """The system's protection level, its latest filing and its three responsible people (Art. 11, 16)."""
    system = application.system
    filings = getattr(system, "latest_filings", None)
    if filings is None:
        filings = list(system.filings.order_by("-filed_on", "-id")[:1])
    filing = filings[0] if filings else None
    level = filing.protection_level if filing else system.protection_level
    level_text = LEVEL_ZH.get(level, "（未定级）") if level else "（未定级）"
    filing_text = "（未备案）"
    if filing:
        filing_text = f"{filing.filing_number}（{filing.filing_authority}，{filing.filed_on.isoformat()}）"
    people = []
    order = list(DUTY_ZH)
    for person in sorted(system.responsible_people.all(), key=lambda p: order.index(p.duty) if p.duty in order else 9):
        phone = person.phone if reveal_phone else mask_phone(person.phone)
        people.append(f"{DUTY_ZH.get(person.duty, person.duty)}：{person.name}（{phone}）")
    return level_text, filing_text, "；".join(people) or "（未登记）"


def _delivered_text(order) -> str:
    name = order.item.catalog_item.name
    if order.kind == WorkOrderKind.PROVISION:
        parts = []
        for entry in order.delivered or []:
            addresses = "、".join(
                f"{NETWORK_SHORT_ZH.get(a.get('network'), a.get('network', ''))} {a.get('address', '')}".strip()
                for a in entry.get("addresses") or []
            )
            parts.append(f"{entry.get('name', '')}（{addresses}）" if addresses else str(entry.get("name", "")))
        return f"{order.number} {name}：交付{len(parts)}项 " + "；".join(parts)
    if order.kind == WorkOrderKind.CHANGE:
        return f"{order.number} {name}：已按核定规格变更"
    return f"{order.number} {name}：已终止"


def _handling(application: Application) -> Opinion:
    """云服务提供商办理情况: what was delivered, by whom, when (filled once every order is done)."""
    orders = getattr(application, "form_work_orders", None)
    if orders is None:
        orders = list(application.work_orders.select_related("item__catalog_item").order_by("pk"))
    done = [o for o in orders if o.state == WorkOrderState.COMPLETED]
    finished = bool(orders) and len(done) == len([o for o in orders if o.state != WorkOrderState.CANCELLED])
    names = list(dict.fromkeys(o.completed_by_name for o in done if o.completed_by_name))
    last = max((o.completed_at for o in done if o.completed_at), default=None)
    return Opinion(
        title="云服务提供商办理情况",
        choices=[("已办理完成", finished), ("办理中", bool(orders) and not finished)],
        signer_label="办理人",
        signer="、".join(names) if finished else "",
        at=local(last) if finished else "",
        comment="\n".join(_delivered_text(o) for o in done),
    )


def _test_acceptance(application: Application) -> Opinion:
    """申请单位测试验收意见: tested by, result, date (the latest test step)."""
    events = getattr(application, "test_events", None)
    if events is None:
        events = list(application.events.filter(action__in=TEST_ACTIONS).order_by("-at", "-pk")[:1])
    event = events[0] if events else None
    passed = event is not None and event.action != A.REPORT_DEFECTS
    failed = event is not None and event.action == A.REPORT_DEFECTS
    comment = ""
    if application.kind == ApplicationKind.TERMINATION:
        comment = "终止申请不经测试验收"
    elif failed:
        comment = f"测试未通过：{event.comment}"
    elif passed:
        comment = event.comment or ("测试通过，同意开通" if event.action == A.ACCEPT_DELIVERY else "变更已确认")
    return Opinion(
        title="申请单位测试验收意见",
        choices=[("测试通过", passed), ("测试未通过", failed)],
        signer_label="测试人",
        signer=event.actor_name if event else "",
        at=local(event.at) if event else "",
        comment=comment,
    )


def verification_code(application: Application) -> str:
    """A short keyed digest of what the form says. The center compares the code printed on a
    stamped paper form with the one the platform computes for the application now: equal codes
    mean the paper shows the platform's record, unaltered and current."""
    items = sorted(
        (
            i.catalog_item_id,
            i.quantity,
            sorted((i.spec or {}).items()),
            i.approved_quantity,
            sorted((i.approved_spec or {}).items()),
        )
        for i in application.items.all()
    )
    text = repr(
        (
            application.number,
            application.organization_id,
            application.system_id,
            application.kind,
            application.purpose,
            application.environment,
            application.contact_name,
            application.state,
            local(application.decided_at),
            local(application.signed_off_at),
            items,
            # Only when asked for: the codes of forms without ports (stamped before) stay as they were.
            *([application.requested_ports] if application.requested_ports else []),
        )
    )
    key = sm3_hex(f"{settings.SECRET_KEY}:application-form".encode()).encode()
    digest = hmac_sm3_hex(key, text.encode("utf-8"))[:16].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))


def application_content(application: Application, *, reveal_phone: bool, now: datetime | None = None) -> FormContent:
    """The filled form of `application` (fetch it with `form_queryset()` to keep the queries few).
    The contact's phone is shown in full only when `reveal_phone`."""
    items = list(application.items.all())
    labels = _option_labels(items)
    approved = _approved(application)
    rows = []
    for index, item in enumerate(items, start=1):
        catalog_item = item.catalog_item
        # Only what the center changed: "CPU：2核" rather than the whole spec again.
        approved_spec = (
            spec_parts(
                item.catalog_item_id,
                {k: v for k, v in item.approved_spec.items() if (item.spec or {}).get(k) != v},
                labels,
            )
            if approved and item.approved_spec
            else []
        )
        if approved:
            approved_quantity = _quantity(
                item.approved_quantity if item.approved_quantity is not None else item.quantity, catalog_item.kind
            )
        elif application.decided_at is not None:
            approved_quantity = "—"
        else:
            approved_quantity = ""
        target = item.target_resource
        rows.append(
            ItemRow(
                index=index,
                name=catalog_item.name,
                kind=RESOURCE_KIND_ZH.get(catalog_item.kind, catalog_item.kind),
                spec=spec_parts(item.catalog_item_id, item.spec, labels),
                quantity=_quantity(item.quantity, catalog_item.kind),
                approved_quantity=approved_quantity,
                approved_spec=approved_spec,
                approval_note=item.approval_note if application.decided_at else "",
                target=f"{target.code} {target.name}".strip() if target else "",
                estimate=money(item.monthly_estimate),
                needed_until=item.needed_until.isoformat() if item.needed_until else "",
                before_spec=(
                    spec_parts(item.catalog_item_id, item.current_spec, labels)
                    if application.kind == ApplicationKind.CHANGE and item.current_spec
                    else []
                ),
            )
        )
    extra = []
    if application.exceeds_quota:
        extra.append(Field("超出配额说明", application.quota_justification or "（未填写）"))
    if application.kind == ApplicationKind.TERMINATION:
        extra.append(Field("终止后数据处理", TERMINATION_ZH.get(application.termination_mode, "")))
        extra.append(
            Field("终止日期", application.termination_date.isoformat() if application.termination_date else "")
        )
        extra.extend(termination_evidence_fields(application))
    if any(r.name and "互联网" in r.name for r in rows):
        extra.append(Field("互联网接入", INTERNET_RULE))
    phone = application.contact_phone or ""
    signer = application.signed_off_by
    level, filing, responsible = _system_details(application, reveal_phone=reveal_phone)
    return FormContent(
        blank=False,
        number=application.number,
        department=application.organization.name,
        system=application.system.name,
        kinds=[(label, application.kind == kind) for kind, label in KIND_ZH.items()],
        environments=[(label, application.environment == env) for env, label in ENVIRONMENT_ZH.items()],
        contact_name=application.contact_name,
        contact_phone=phone if reveal_phone else mask_phone(phone),
        requested_date=application.requested_date.isoformat() if application.requested_date else "",
        submitted_at=local(application.submitted_at),
        purpose=application.purpose,
        items=rows,
        decided=application.decided_at is not None,
        total_estimate=money(application.monthly_estimate),
        estimate_basis="按申请时有效的价目表估算，实际费用以月度账单为准",
        extra=extra,
        signoff_name=(signer.full_name or signer.username) if signer else "",
        signoff_at=local(application.signed_off_at),
        acceptance=_acceptance(application),
        approval=_approval(application),
        generated_at=local(now or timezone.now()),
        verification_code=verification_code(application),
        state=STATE_ZH.get(application.state, application.state),
        stamped_form_required=bool(policy_value(Policy.STAMPED_FORM_REQUIRED)),
        notes=notes(),
        credit_code=application.organization.credit_code,
        system_level=level,
        filing=filing,
        responsible=responsible,
        ports=application.requested_ports or DEFAULT_PORTS,
        handling=_handling(application),
        test_acceptance=_test_acceptance(application),
    )


def notes() -> list[str]:
    """The notes printed under the form: the regulation's rules with today's time limits."""
    acceptance = int(policy_value(Policy.ACCEPTANCE_WORKING_DAYS))
    approval = int(policy_value(Policy.APPROVAL_WORKING_DAYS))
    start = "受理" if policy_value(Policy.DECISION_FROM_ACCEPTANCE) else "提交"
    delivery = int(policy_value(Policy.DELIVERY_WORKING_DAYS))
    delivery_test = int(policy_value(Policy.DELIVERY_WORKING_DAYS_TEST))
    if delivery == delivery_test:
        handling = f"云服务提供商在{delivery}个工作日内完成业务办理"
    else:
        handling = f"云服务提供商在{delivery}个工作日（测试环境{delivery_test}个工作日）内完成业务办理"
    lines = [
        "申请单位应当严格按照实际需求申请计算、存储、网络、安全和带宽等资源（第八条）。",
        f"市电子政务中心{acceptance}个工作日内受理，自{start}起{approval}个工作日内审批；审批合格后，{handling}（第十条）。",
        "信息系统正式部署前，应当完成网络安全等级保护定级备案、测评和整改等工作（第十一条）。",
    ]
    if policy_value(Policy.STAMPED_FORM_REQUIRED):
        lines.append("本表经单位负责人签字并加盖单位公章后，扫描上传至平台。")
    return lines


# --- The blank form --------------------------------------------------------------------------------------


@dataclass
class CatalogLine:
    label: str
    choices: list[str] = field(default_factory=list)  # values to tick
    fill: str = ""  # a range to write in: "____GB（40–500）"


@dataclass
class CatalogBlock:
    """One resource on the blank form: its catalog items to tick (e.g. the three database engines
    that share the same specifications) and the specification lines."""

    kind: str
    names: list[str]
    lines: list[CatalogLine]
    quantity_unit: str
    note: str = ""


def _catalog_lines(item: CatalogItem) -> list[CatalogLine]:
    lines: dict[str, CatalogLine] = {}
    for option in item.options.all():
        line = lines.setdefault(option.dimension, CatalogLine(DIMENSION_ZH.get(option.dimension, option.dimension)))
        line.choices.append(option.label or f"{option.value}{UNIT_ZH.get(option.dimension, '')}")
    for rng in item.ranges.all():
        unit = UNIT_ZH.get(rng.dimension, "")
        hint = f"{_number(rng.minimum)}–{_number(rng.maximum)}{unit}"
        if rng.step != 1:
            hint += f"，步长{_number(rng.step)}"
        if not rng.required:
            hint += "，可不填"
        lines[rng.dimension] = CatalogLine(
            DIMENSION_ZH.get(rng.dimension, rng.dimension), fill=f"______{unit}（{hint}）"
        )
    return [lines[d] for d in sorted(lines, key=dimension_order)]


def _signature(lines: list[CatalogLine]) -> tuple:
    return tuple((line.label, tuple(line.choices), line.fill) for line in lines)


def catalog_blocks() -> list[CatalogBlock]:
    """The catalog as the blank form lists it: items of the same kind with the same specification
    fields share one block (the database engines), in the catalog's order. Three queries."""
    blocks: list[CatalogBlock] = []
    index: dict[tuple, CatalogBlock] = {}
    for item in items_for_new_applications():
        lines = _catalog_lines(item)
        key = (item.kind, _signature(lines))
        block = index.get(key)
        if block is None:
            block = CatalogBlock(
                kind=RESOURCE_KIND_ZH.get(item.kind, item.kind),
                names=[],
                lines=lines,
                quantity_unit=QUANTITY_UNIT_ZH.get(item.kind, ""),
                note=item.description,
            )
            index[key] = block
            blocks.append(block)
        elif block.note != item.description:
            block.note = "；".join(n for n in (block.note, item.description) if n)
        # "网络接入：互联网" under the kind "网络接入" reads "互联网".
        prefix = f"{block.kind}："
        block.names.append(item.name[len(prefix) :] if item.name.startswith(prefix) else item.name)
    return blocks


def _empty_opinion(title: str, choices: list[str], signer_label: str) -> Opinion:
    return Opinion(title=title, choices=[(c, False) for c in choices], signer_label=signer_label)


def blank_content(*, now: datetime | None = None) -> FormContent:
    """The blank form for the public guide: every field empty, the catalog's values to tick."""
    return FormContent(
        blank=True,
        number="",
        department="",
        system="",
        kinds=[(label, False) for label in KIND_ZH.values()],
        environments=[(label, False) for label in ENVIRONMENT_ZH.values()],
        contact_name="",
        contact_phone="",
        requested_date="",
        submitted_at="",
        purpose="",
        items=[],
        decided=False,
        total_estimate="",
        estimate_basis="",
        extra=[],
        signoff_name="",
        signoff_at="",
        acceptance=_empty_opinion("市电子政务中心受理意见", ["同意受理", "退回补正"], "经办人"),
        approval=_empty_opinion("市电子政务中心审批意见", ["同意", "不同意"], "审批人"),
        generated_at=local(now or timezone.now()),
        verification_code="",
        notes=notes(),
        catalog=catalog_blocks(),
        stamped_form_required=bool(policy_value(Policy.STAMPED_FORM_REQUIRED)),
        handling=_empty_opinion("云服务提供商办理情况", ["已办理完成"], "办理人"),
        test_acceptance=_empty_opinion("申请单位测试验收意见", ["测试通过", "测试未通过"], "测试人"),
    )


def blank_fingerprint(content: FormContent) -> str:
    """What the blank form depends on (the catalog and the rules), for caching the files."""
    parts = [(b.kind, tuple(b.names), _signature(b.lines), b.note) for b in content.catalog]
    return sm3_hex(repr((parts, content.notes)).encode("utf-8"))[:24]


# --- Art. 18: the evidence of a termination's data handling (a small, self-contained section) -----


def termination_evidence_fields(application: Application) -> list[Field]:
    """The destruction certificate or handover record of each terminated resource and the
    department's confirmation of it, once those steps happen (delivery.evidence). One query."""
    # Imported here to keep this section self-contained (the form's other sections do not need it).
    from govcloud.delivery.models import EvidenceKind, EvidenceState, TerminationEvidence

    fields: list[Field] = []
    rows = (
        TerminationEvidence.objects.filter(work_order__application=application)
        .select_related("work_order__item__target_resource")
        .order_by("work_order__pk")
    )
    for evidence in rows:
        target = evidence.work_order.item.target_resource
        destruction = evidence.kind == EvidenceKind.DESTRUCTION_CERTIFICATE
        label = "数据销毁证明" if destruction else "数据移交记录"
        parts = [evidence.statement]
        if evidence.has_file:
            parts.append(f"附件 {evidence.original_name}（SM3 {evidence.sm3[:16]}…）")
        parts.append(f"云服务提供商 {evidence.submitted_by_name}，{local(evidence.submitted_at)}")
        prefix = f"{target.code} " if target else ""
        fields.append(Field(f"{prefix}{label}", "；".join(p for p in parts if p)))
        if evidence.state == EvidenceState.CONFIRMED:
            confirmed = f"已确认：{evidence.decided_by_name}，{local(evidence.decided_at)}"
            if evidence.decision_comment:
                confirmed += f"；{evidence.decision_comment}"
        elif evidence.state == EvidenceState.REJECTED:
            confirmed = (
                f"未予确认：{evidence.decided_by_name}，{local(evidence.decided_at)}；{evidence.decision_comment}"
            )
        else:
            confirmed = "待使用单位确认"
        fields.append(Field("使用单位确认" if destruction else "使用单位签收", confirmed))
    return fields
