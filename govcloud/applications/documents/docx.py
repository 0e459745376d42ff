"""The application form as DOCX (python-docx), laid out like the PDF: A4, bordered tables, room
for the head's signature, the department's seal and the center's opinions.

Word files are opened on office PCs, so the fonts are the ones every Chinese Windows has: 宋体
(SimSun) for the text, 黑体 (SimHei) for the title; the check boxes use Segoe UI Symbol.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from govcloud.applications.documents.content import FormContent, Opinion

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
LATIN_FONT = "Times New Roman"
SYMBOL_FONT = "Segoe UI Symbol"
CHECKED, UNCHECKED = "☑", "☐"
PAGE_WIDTH_MM = 210
MARGIN_MM = 18


def _fonts(run, east_asia: str, latin: str = LATIN_FONT) -> None:
    run.font.name = latin
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _run(paragraph, text: str, *, bold: bool = False, size: float | None = None, font: str = BODY_FONT):
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    _fonts(run, font)
    return run


def _box(paragraph, on: bool, label: str, size: float = 10.5) -> None:
    mark = paragraph.add_run(CHECKED if on else UNCHECKED)
    mark.font.size = Pt(size + 0.5)
    _fonts(mark, SYMBOL_FONT, SYMBOL_FONT)
    _run(paragraph, f" {label}\u3000\u3000", size=size)


def _cell(cell, text: str = "", *, bold: bool = False, center: bool = False, size: float | None = None):
    """Write `text` into a cell (replacing its empty first paragraph); lines become paragraphs."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    lines = str(text).split("\n") or [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        paragraph = first if i == 0 else cell.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, line, bold=bold, size=size)
    return first


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _table(doc, rows: int, widths_mm: list[float]):
    table = doc.add_table(rows=rows, cols=len(widths_mm))
    table.style = "Table Grid"
    _widths(table, widths_mm)
    return table


def _page_field(paragraph, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _setup(doc, content: FormContent) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(297)
    section.left_margin = section.right_margin = Mm(MARGIN_MM)
    section.top_margin, section.bottom_margin = Mm(16), Mm(18)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = LATIN_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    doc.core_properties.title = content.title
    doc.core_properties.subject = content.number or "空白表"
    doc.core_properties.author = content.platform

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if content.blank:
        note = (
            f"空白表，生成于 {content.generated_at}。建议登录{content.platform}在线填报，平台自动生成申请编号与校验码。"
        )
    else:
        note = (
            f"本表由{content.platform}管理系统于 {content.generated_at} 生成。校验码：{content.verification_code}"
            f"（登录平台打开申请 {content.number} 核对，一致即与平台记录相符）"
        )
    _run(footer, note, size=7.5).font.color.rgb = RGBColor(0x33, 0x33, 0x33)
    pages = section.footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(pages, "第 ", size=7.5)
    _page_field(pages, "PAGE")
    _run(pages, " 页 / 共 ", size=7.5)
    _page_field(pages, "NUMPAGES")
    _run(pages, " 页", size=7.5)


def _heading(doc, content: FormContent) -> None:
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, content.title, bold=True, size=20, font=TITLE_FONT)
    basis = doc.add_paragraph()
    basis.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(basis, content.basis, size=9)
    basis.paragraph_format.space_after = Pt(6)
    head = doc.add_paragraph()
    _run(head, "申请编号：")
    _run(head, content.number or "____________", bold=bool(content.number))
    _run(head, "\u3000\u3000")
    if content.blank:
        _run(head, "填表日期：\u3000\u3000年\u3000月\u3000日")
    else:
        _run(head, f"提交时间：{content.submitted_at or '（未提交）'}")
        if content.state:
            _run(head, f"\u3000当前状态：{content.state}")


INNER = PAGE_WIDTH_MM - 2 * MARGIN_MM


def _info(doc, content: FormContent) -> None:
    label, value = 28, (INNER - 56) / 2
    table = _table(doc, 8, [label, value, label, value])
    rows = table.rows
    blank_people = "系统管理员：________　安全保密员：________　安全审计员：________"
    level = "☐ 第二级　☐ 第三级　☐ 其他" if content.blank else content.system_level
    pairs = [
        ("申请单位", content.department, "统一社会信用代码", content.credit_code),
        ("信息系统名称", content.system, "等级保护级别", level),
    ]
    for index, (left, left_value, right, right_value) in enumerate(pairs):
        _cell(rows[index].cells[0], left, bold=True, center=True)
        _cell(rows[index].cells[1], left_value)
        _cell(rows[index].cells[2], right, bold=True, center=True)
        _cell(rows[index].cells[3], right_value)
    ports = content.ports or "______（如：443/TCP）"
    _cell(rows[2].cells[0], "等保备案编号", bold=True, center=True)
    _cell(rows[2].cells[1], content.filing, size=9.5)
    _cell(rows[2].cells[2], "申请开放端口", bold=True, center=True)
    _cell(rows[2].cells[3], ports, size=9.5)
    full_rows = [
        (3, "系统责任人", blank_people if content.blank else content.responsible),
        (4, "申请类型", None),
    ]
    for index, text, full in full_rows:
        _cell(rows[index].cells[0], text, bold=True, center=True)
        merged = rows[index].cells[1].merge(rows[index].cells[3])
        if full is not None:
            _cell(merged, full, size=9.5)
        else:
            paragraph = merged.paragraphs[0]
            for choice, on in content.kinds:
                _box(paragraph, on, choice)
    _cell(rows[5].cells[0], "使用环境", bold=True, center=True)
    for choice, on in content.environments:
        _box(rows[5].cells[1].paragraphs[0], on, choice)
    _cell(rows[5].cells[2], "期望开通日期", bold=True, center=True)
    _cell(rows[5].cells[3], content.requested_date)
    _cell(rows[6].cells[0], "联系人", bold=True, center=True)
    _cell(rows[6].cells[1], content.contact_name)
    _cell(rows[6].cells[2], "联系电话", bold=True, center=True)
    _cell(rows[6].cells[3], content.contact_phone)
    _cell(rows[7].cells[0], "申请用途", bold=True, center=True)
    _cell(rows[7].cells[1].merge(rows[7].cells[3]), content.purpose)
    rows[7].height, rows[7].height_rule = Mm(18), WD_ROW_HEIGHT_RULE.AT_LEAST


def _section_row(table, text: str) -> None:
    row = table.rows[0]
    merged = row.cells[0].merge(row.cells[-1])
    _cell(merged, text, bold=True, center=True)


def _items(doc, content: FormContent) -> None:
    widths = [10, 30, INNER - 10 - 30 - 17 - 17 - 24, 17, 17, 24]
    table = _table(doc, 2 + len(content.items) + 2, widths)
    _section_row(table, "资源申请清单")
    for cell, text in zip(
        table.rows[1].cells, ["序号", "资源名称", "规格", "申请数量", "核定数量", "月度估算（元）"], strict=True
    ):
        _cell(cell, text, bold=True, center=True, size=9.5)
    for row, item in zip(table.rows[2:], content.items, strict=False):
        cells = row.cells
        _cell(cells[0], str(item.index), center=True)
        _cell(cells[1], item.name)
        spec = [item.spec_text]
        if item.before_spec:
            spec = [f"变更前：{item.before_spec_text}", f"变更后：{item.spec_text}"]
        if item.needed_until:
            spec.append(f"需用至：{item.needed_until}")
        if item.target:
            spec.append(f"对象资源：{item.target}")
        if item.approved_spec_text:
            spec.append(f"核定规格：{item.approved_spec_text}")
        if item.approval_note:
            spec.append(f"核定说明：{item.approval_note}")
        _cell(cells[2], "\n".join(spec), size=9.5)
        _cell(cells[3], item.quantity, center=True)
        _cell(cells[4], item.approved_quantity, center=True)
        _cell(cells[5], item.estimate).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    total = table.rows[2 + len(content.items)]
    label = total.cells[0].merge(total.cells[4])
    _cell(label, "月度费用估算合计（元）", bold=True).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _cell(total.cells[5], content.total_estimate, bold=True).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    basis = table.rows[-1]
    _cell(basis.cells[0].merge(basis.cells[-1]), content.estimate_basis, size=8.5)
    if content.extra:
        extra = _table(doc, len(content.extra), [28, INNER - 28])
        for row, item in zip(extra.rows, content.extra, strict=True):
            _cell(row.cells[0], item.label, bold=True, center=True)
            _cell(row.cells[1], item.value)


def _catalog(doc, content: FormContent) -> None:
    widths = [28, INNER - 28 - 24, 24]
    table = _table(doc, 2 + len(content.catalog), widths)
    _section_row(table, "资源申请清单（请勾选所需资源与规格，并填写数量）")
    for cell, text in zip(table.rows[1].cells, ["资源", "规格", "数量"], strict=True):
        _cell(cell, text, bold=True, center=True)
    for row, block in zip(table.rows[2:], content.catalog, strict=False):
        _cell(row.cells[0], block.kind, bold=True, center=True)
        cell = row.cells[1]
        paragraph = cell.paragraphs[0]
        if len(block.names) > 1 or block.names[0] != block.kind:
            for name in block.names:
                _box(paragraph, False, name, size=9.5)
            paragraph = cell.add_paragraph()
        for i, line in enumerate(block.lines):
            if i:
                paragraph = cell.add_paragraph()
            _run(paragraph, f"{line.label}：", bold=True, size=9.5)
            for choice in line.choices:
                _box(paragraph, False, choice, size=9.5)
            if line.fill:
                _run(paragraph, line.fill, size=9.5)
        if block.note:
            _run(cell.add_paragraph(), block.note, size=8.5)
        _cell(row.cells[2], f"______{block.quantity_unit}", center=True)


def _signoff(doc, content: FormContent) -> None:
    table = _table(doc, 1, [INNER / 2, INNER / 2])
    row = table.rows[0]
    row.height, row.height_rule = Mm(36), WD_ROW_HEIGHT_RULE.AT_LEAST
    left, right = row.cells
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    _run(left.paragraphs[0], "申请单位负责人意见", bold=True)
    if content.signoff_name:
        _run(left.add_paragraph(), f"已在平台确认：{content.signoff_name}（{content.signoff_at}）", size=9)
    for _ in range(3):
        left.add_paragraph()
    _run(left.add_paragraph(), "负责人签字：______________")
    _run(left.add_paragraph(), "日期：\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日")
    _run(right.paragraphs[0], "申请单位（盖章）", bold=True)
    for _ in range(5):
        right.add_paragraph()
    date = right.add_paragraph()
    date.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(date, "年\u3000\u3000月\u3000\u3000日")


def _opinions(doc, content: FormContent) -> None:
    table = _table(doc, len(content.opinions), [28, INNER - 28])
    for row, opinion in zip(table.rows, content.opinions, strict=True):
        _opinion(row, opinion)


def _opinion(row, opinion: Opinion) -> None:
    row.height, row.height_rule = Mm(24), WD_ROW_HEIGHT_RULE.AT_LEAST
    _cell(row.cells[0], opinion.title, bold=True, center=True)
    cell = row.cells[1]
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    paragraph = cell.paragraphs[0]
    for label, on in opinion.choices:
        _box(paragraph, on, label)
    if opinion.comment:
        for line in opinion.comment.split("\n"):
            _run(cell.add_paragraph(), line, size=9)
    else:
        cell.add_paragraph()
    signer = opinion.signer or "______________"
    at = opinion.at or "\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"
    _run(cell.add_paragraph(), f"{opinion.signer_label}：{signer}\u3000日期：{at}", size=9.5)


def docx_bytes(content: FormContent) -> bytes:
    doc = Document()
    _setup(doc, content)
    _heading(doc, content)
    _info(doc, content)
    if content.blank:
        _catalog(doc, content)
    else:
        _items(doc, content)
    _signoff(doc, content)
    _opinions(doc, content)
    hint = doc.add_paragraph()
    hint.paragraph_format.space_before = Pt(4)
    _run(hint, "说明：", size=8.5, bold=True)
    for index, note in enumerate(content.notes, start=1):
        _run(doc.add_paragraph(), f"{index}. {note}", size=8.5)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
