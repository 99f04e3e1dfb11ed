"""Word and PDF plan files: made here with python-docx and reportlab, read back through the real readers and parser."""
from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from index import DEFAULT_PLAN
from index.readers import PlanFileError, read_plan_file
from index.sections import load_plan

PLAN_LINES = [
    "深圳市产业创新规划",
    "一、重点任务",
    "（一）产业创新",
    "1. 发展新兴产业",
    "壮大新兴产业集群，建设10个创新载体。",
    "2. 完善创新生态",
    "优化营商环境，吸引高端人才。",
]
BOX_ROWS = ["专栏1 重大项目", "1. 诺贝尔奖科学家实验室。在化学、生物等领域建设实验室。", "2. 国家基因库。建设二期工程。"]


def make_docx(path: Path, lines: list[str], box: list[str] | None = None) -> Path:
    doc = Document()
    for line in lines:
        doc.add_paragraph(line)
    if box:  # boxes (专栏) are often drawn as a one-column table
        table = doc.add_table(rows=len(box), cols=1)
        for row, text in zip(table.rows, box):
            row.cells[0].text = text
    doc.add_paragraph("3. 加强国际合作")
    doc.add_paragraph("推动深港科技合作。")
    doc.save(str(path))
    return path


def make_pdf(path: Path, paragraphs: list[str], *, column_pt: float = 440, page_numbers: bool = True) -> Path:
    """A CJK PDF the way word processors make one: paragraphs wrapped at the column width, page numbers below."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font, size = "STSong-Light", 11  # a CID font built into reportlab: no font file needed
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    c = canvas.Canvas(str(path))
    page, y = 1, 800.0

    def new_page() -> None:
        nonlocal page, y
        if page_numbers:
            c.drawCentredString(297, 30, f"- {page} -")
        c.showPage()
        page, y = page + 1, 800.0

    for para in paragraphs:
        line = ""
        for ch in para:
            if pdfmetrics.stringWidth(line + ch, font, size) > column_pt:
                c.setFont(font, size)
                c.drawString(60, y, line)
                y -= 16
                line = ch
                if y < 60:
                    new_page()
            else:
                line += ch
        c.setFont(font, size)
        c.drawString(60, y, line)
        y -= 16
        if y < 60:
            new_page()
    new_page()
    c.save()
    return path


def outline(plan) -> list[tuple[str, str, str]]:
    return [(s.id, s.title, "".join(s.body.split())) for s in plan.sections]


def test_docx_paragraphs_and_table_box_parse_in_order(tmp_path):
    path = make_docx(tmp_path / "plan.docx", PLAN_LINES, BOX_ROWS)
    decoded = read_plan_file(path)
    assert decoded.encoding == "docx"
    plan = load_plan(path)
    assert plan.name == "plan" and plan.title == "深圳市产业创新规划"
    assert [s.id for s in plan] == ["一", "一(一)", "一(一)1", "一(一)2", "专栏1", "专栏1.1", "专栏1.2", "一(一)3"]
    assert plan.get("专栏1.2").body.startswith("国家基因库。建设二期工程")
    assert plan.get("一(一)1").body == "壮大新兴产业集群，建设10个创新载体。"


def test_docx_merged_cells_are_read_once(tmp_path):
    doc = Document()
    doc.add_paragraph("一、重点任务")
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "专栏1 重大项目"  # across columns
    table.cell(1, 0).text = "1. 基因库。建设二期。"
    table.cell(1, 1).merge(table.cell(2, 1)).text = "2. 超算中心。建设二期。"  # across rows
    table.cell(2, 0).text = "3. 脑科学。建设设施。"
    doc.save(str(tmp_path / "merged.docx"))
    text = read_plan_file(tmp_path / "merged.docx").text
    assert text.count("专栏1 重大项目") == 1 and text.count("超算中心") == 1
    assert [s.id for s in load_plan(tmp_path / "merged.docx")] == ["一", "专栏1", "专栏1.1", "专栏1.2", "专栏1.3"]


def test_docx_automatic_numbering_warns_how_to_keep_numbers(tmp_path, caplog):
    doc = Document()
    doc.add_paragraph("一、重点任务")
    doc.add_paragraph("发展新兴产业", style="List Number")
    doc.save(str(tmp_path / "auto.docx"))
    read_plan_file(tmp_path / "auto.docx")
    assert "automatic numbering" in caplog.text and "save the document as PDF" in caplog.text


@pytest.mark.parametrize("data", [b"PK\x03\x04 not really a zip", b"\xd0\xcf\x11\xe0 an old .doc file"])
def test_broken_docx_names_the_fix(tmp_path, data):
    path = tmp_path / "bad.docx"
    path.write_bytes(data)
    with pytest.raises(PlanFileError, match=r"bad\.docx: not a readable Word \.docx file.*save it as \.docx"):
        read_plan_file(path)


def test_pdf_with_chinese_text_parses_like_the_text_file(tmp_path):
    path = make_pdf(tmp_path / "small.pdf", PLAN_LINES + BOX_ROWS)
    assert read_plan_file(path).encoding == "pdf"
    plan = load_plan(path)
    assert [s.id for s in plan] == ["一", "一(一)", "一(一)1", "一(一)2", "专栏1", "专栏1.1", "专栏1.2"]
    assert plan.get("一(一)1").body == "壮大新兴产业集群，建设10个创新载体。"
    assert "- 1 -" not in plan.text  # the page number is page furniture, not plan text


def test_wrapped_multi_page_pdf_of_the_real_plan_keeps_every_section(tmp_path):
    """The shipped plan printed to a 7-page PDF: lines wrapped at the margin and page numbers are undone."""
    txt = load_plan(DEFAULT_PLAN)
    paragraphs = [ln.strip() for ln in DEFAULT_PLAN.read_text(encoding="utf-8").splitlines() if ln.strip()]
    path = make_pdf(tmp_path / DEFAULT_PLAN.with_suffix(".pdf").name, paragraphs)
    pdf = load_plan(path)
    assert pdf.name == txt.name and pdf.title == txt.title
    assert outline(pdf) == outline(txt)


def test_pdf_without_text_layer_suggests_ocr(tmp_path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(50, 50, 200, 200, fill=1)  # a page with only a picture on it, as a scanner makes
    c.save()
    with pytest.raises(PlanFileError, match="no text layer.*ocrmypdf"):
        read_plan_file(tmp_path / "scan.pdf")


def test_encrypted_pdf_asks_for_an_unprotected_copy(tmp_path):
    from pypdf import PdfReader, PdfWriter

    source = make_pdf(tmp_path / "open.pdf", PLAN_LINES)
    writer = PdfWriter()
    writer.append(PdfReader(str(source)))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    with open(tmp_path / "locked.pdf", "wb") as fh:
        writer.write(fh)
    with pytest.raises(PlanFileError, match="password-protected"):
        read_plan_file(tmp_path / "locked.pdf")


def test_garbage_pdf_is_refused_clearly(tmp_path):
    path = tmp_path / "junk.pdf"
    path.write_bytes(b"%PDF-1.4 this is not really a pdf")
    with pytest.raises(PlanFileError, match=r"junk\.pdf: not a readable PDF"):
        read_plan_file(path)
