"""Demo reports; called by govcloud/web/demo.py after the utilization and alert demos.

The center's three resource pools, sized so that about three fifths are allocated; the provider's
operations reports and advice for the last two months (the older acknowledged, last month's advice
waiting for the center, last month's operations report returned once and submitted again); last
week's and last month's utilization reports for the city and every department, built by the same
service as the schedule; and last month's analysis report. Idempotent: what exists is left alone,
the reports are rebuilt (the latest data wins, as with the schedule).
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone

from govcloud.core.actors import SYSTEM
from govcloud.reports import analysis, services, utilization
from govcloud.reports.models import PoolKind, ProviderReport, ProviderReportKind, ReportPeriod, ResourcePool
from govcloud.systems.demo import minimal_pdf

POOLS = [
    # name, kind, share of the allocated capacity, note
    ("泰州政务云计算资源池（一期）", PoolKind.COMPUTE, 0.62, "华为 FusionSphere，32 台物理服务器"),
    ("泰州政务云计算资源池（二期）", PoolKind.COMPUTE, 0.38, "2026 年扩容，16 台物理服务器"),
    ("内存资源池", PoolKind.MEMORY, 1.0, "一期、二期合计"),
    ("分布式存储资源池", PoolKind.STORAGE, 1.0, "三副本可用容量"),
]
STEPS = {PoolKind.COMPUTE: 10, PoolKind.MEMORY: 100, PoolKind.STORAGE: 1000}
# Allocated ÷ capacity the demo aims at.
TARGET_USE = 0.6

# The provider writes HTML in the editor (reports.richtext cleans it): headings, lists, a table.
OPERATIONS_TEXT = (
    "<h2>一、总体运行情况</h2>"
    "<p>本月政务云平台整体运行平稳，计算、存储、网络资源可用率 <strong>99.98%</strong>，未发生重大故障。</p>"
    "<h2>二、资源使用情况</h2>"
    "<ul><li>云主机 CPU 平均利用率保持在 30% 左右，预约挂号平台应用服务器在工作日上午出现高峰。</li>"
    "<li>交通违法前置服务器持续闲置，已提示使用部门评估。</li></ul>"
    "<h2>三、故障与处理</h2>"
    "<p>本月共受理故障 {incidents} 起，均在 5 分钟内响应，按时恢复。</p>"
    "<h2>四、安全与备份</h2>"
    "<table><tbody><tr><td>月度漏洞扫描与补丁更新</td><td>已完成</td></tr>"
    "<tr><td>数据库全量备份</td><td>1 次，正常</td></tr>"
    "<tr><td>恢复演练</td><td>1 次，正常</td></tr></tbody></table>"
    "<h2>五、下月工作计划</h2>"
    "<ol><li>完成二期资源池扩容的割接；</li><li>配合中心开展资源利用情况核查。</li></ol>"
)

ADVICE_TEXT = (
    "<h2>一、优化建议</h2>"
    "<ol><li>交通违法前置服务器近 30 天 CPU 峰值不足 10%，建议<strong>降配为 2 核 4G</strong>或与同类前置机合并。</li>"
    "<li>预约挂号平台应用服务器工作日 CPU 平均超过 80%，"
    "建议<strong>增加 1 台应用服务器</strong>并配置负载均衡。</li></ol>"
    "<h2>二、扩容建议</h2>"
    "<p>计算资源池已分配约六成，按近三个月增长趋势，预计半年内达到 80%，建议启动三期扩容论证。</p>"
)
# Added when the returned operations report is handed in again.
OPERATIONS_ADDENDUM = "<p><em>附：本月漏洞扫描发现中危 2 项，已整改。</em></p>"


def _round_up(value: float, step: int) -> int:
    return max(step, int(math.ceil(value / step) * step))


def _pools() -> None:
    if ResourcePool.objects.exists():
        return
    month = timezone.localdate().replace(day=1)
    used = analysis.allocated({"now": utilization.local_midnight(month)})["now"]
    for name, kind, share, note in POOLS:
        capacity = _round_up(max(used[kind], 1.0) * share / TARGET_USE, STEPS[kind])
        services.resource_pool_create(actor=SYSTEM, name=name, kind=kind, capacity=capacity, note=note)


def _provider_reports(provider, center) -> None:
    this_month = timezone.localdate().replace(day=1)
    last = (this_month - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    # Loaded once: the demo's two months are there already on a second load.
    if provider is None or center is None or ProviderReport.objects.filter(month__in=[before, last]).exists():
        return
    for month in (before, last):
        label = f"{month:%Y年%-m月}"
        ops = services.provider_report_create(
            actor=provider,
            kind=ProviderReportKind.OPERATIONS,
            month=month,
            title=f"{label}政务云运行维护报告",
            body=OPERATIONS_TEXT.format(incidents=3 if month == last else 5),
        )
        advice = services.provider_report_create(
            actor=provider,
            kind=ProviderReportKind.ADVICE,
            month=month,
            title=f"{label}资源优化与扩容建议",
            body=ADVICE_TEXT,
        )
        # The month's inspection record goes with the operations report, as the provider hands it in.
        services.provider_report_attach(
            actor=provider,
            report=ops,
            upload=SimpleUploadedFile(
                f"巡检记录-{label}.pdf", minimal_pdf(f"Inspection record {month:%Y-%m}"), "application/pdf"
            ),
        )
        # The advice comes with the capacity calculation behind it.
        services.provider_report_attach(
            actor=provider,
            report=advice,
            upload=SimpleUploadedFile(
                f"扩容测算-{label}.pdf", minimal_pdf(f"Capacity calculation {month:%Y-%m}"), "application/pdf"
            ),
        )
        services.provider_report_submit(actor=provider, report=ops)
        services.provider_report_submit(actor=provider, report=advice)
        if month == before:
            # Handed in on time, a day before the due time, and acknowledged the next day.
            ProviderReport.objects.filter(pk__in=[ops.pk, advice.pk]).update(
                submitted_at=F("due_at") - timedelta(days=1)
            )
            services.provider_report_acknowledge(actor=center, report=ops)
            services.provider_report_acknowledge(actor=center, report=advice, comment="已阅，扩容论证纳入下季度计划。")
        else:
            services.provider_report_return(actor=center, report=ops, reason="请补充本月漏洞扫描结果的明细和整改情况。")
            services.provider_report_update(
                actor=provider,
                report=ops,
                title=ops.title,
                body=ops.body + OPERATIONS_ADDENDUM,
            )
            services.provider_report_submit(actor=provider, report=ops)


def load_demo(*, orgs: dict, users: dict) -> dict[str, int]:
    _pools()
    _provider_reports(users.get("provider_ops"), users.get("center_admin"))
    weekly = utilization.utilization_reports_run(actor=SYSTEM, period=ReportPeriod.WEEK)
    monthly = utilization.utilization_reports_run(actor=SYSTEM, period=ReportPeriod.MONTH)
    last_month = utilization.last_complete(ReportPeriod.MONTH)
    analysis.analysis_report_generate(actor=SYSTEM, month=last_month)
    return {"weekly": len(weekly), "monthly": len(monthly)}
