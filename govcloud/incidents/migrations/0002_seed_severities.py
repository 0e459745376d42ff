"""The four severity levels the center starts with; it edits their definitions and targets after."""

from django.db import migrations

SEVERITIES = [
    # code, name, rank, major, recovery hours, definition
    ("general", "一般", 1, False, 24, "个别资源或功能异常，业务可降级运行，影响范围小。"),
    ("serious", "较大", 2, False, 8, "单个部门的重要信息系统中断或性能严重下降。"),
    ("major", "重大", 3, True, 4, "多个部门的信息系统中断，或重要信息系统长时间中断、数据受损。"),
    ("critical", "特别重大", 4, True, 2, "云平台整体或核心区域中断，大面积影响政务服务。"),
]


def seed(apps, schema_editor):
    Severity = apps.get_model("incidents", "IncidentSeverity")
    for code, name, rank, major, hours, definition in SEVERITIES:
        Severity.objects.get_or_create(
            code=code,
            defaults={"name": name, "rank": rank, "is_major": major, "recovery_hours": hours, "definition": definition},
        )


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
