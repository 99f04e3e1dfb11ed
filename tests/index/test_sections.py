"""Tests for splitting plans into sections: the default plan, synthetic plans and generated outlines."""
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.readers import PlanFileError
from index.sections import Plan, Section, load_plan, normalize_id, parse_plan

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN = ROOT / "index" / "plans" / "shenzhen-sti-13th-five-year-plan-E.txt"
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(DEFAULT_PLAN)


def line_ranges(text: str):
    """(start, end, stripped line) of every non-blank line, found independently of the parser."""
    for m in re.finditer(r"[^\r\n]+", text):
        raw = m.group()
        if raw.strip():
            start = m.start() + len(raw) - len(raw.lstrip())
            yield start, start + len(raw.strip()), raw.strip()


def assert_covered_once(plan: Plan) -> None:
    """Spans don't overlap, and every non-blank line is in exactly one span or in the metadata."""
    spans = [(s.start, s.end) for s in plan]
    assert spans == sorted(spans)
    assert all(end <= nxt for (_, end), (nxt, _) in zip(spans, spans[1:]))
    meta = [plan.title, *plan.metadata.values()]
    for start, end, line in line_ranges(plan.text):
        hits = [span for span in spans if span[0] <= start and end <= span[1]]
        if end <= spans[0][0]:
            assert not hits and any(v and v in line for v in meta), line
        else:
            assert len(hits) == 1, line
    for s in plan:
        original = plan.text[s.start : s.end]
        assert original.startswith(s.marker)
        flat = re.sub(r"\s+", " ", original)  # display text has NBSP and ideographic spaces as " "
        assert s.heading.startswith(re.sub(r"\s+", " ", s.marker))
        for body_line in s.body.split("\n"):  # a rejoined subscript ("M" / "2" / "和…") lost its line breaks
            assert body_line.replace(" ", "") in flat.replace(" ", "")
        assert "\r" not in s.title + s.body + s.heading


# --- the default plan -------------------------------------------------------------------------------------


def test_default_plan_ids_match_golden_file(plan):
    golden = (DATA / "default_plan_ids.txt").read_text(encoding="utf-8").split()
    assert [s.id for s in plan] == golden
    assert len(golden) == 70


def test_default_plan_kinds(plan):
    assert Counter(s.kind for s in plan) == {"chapter": 1, "project": 5, "item": 22, "box": 8, "box_item": 34}
    assert [s.id for s in plan if s.kind == "box"] == [f"专栏{n}" for n in range(11, 19)]
    items = [s.id for s in plan if s.kind == "item"]
    assert [re.sub(r".*\)", "", i) for i in items] == [str(n) for n in range(1, 23)]
    assert {"五(二)6", "五(五)22"} <= set(items)


def test_default_plan_metadata(plan):
    assert plan.name == "shenzhen-sti-13th-five-year-plan-E"
    assert plan.title == "深圳市科技创新“十三五”规划(E)"
    assert plan.metadata == {"source": "深圳科技创新委员会", "date": "2017年10月31日", "encoding": "utf-8"}
    assert plan.path == str(DEFAULT_PLAN)
    assert len(plan.sha256) == 64
    assert plan.text == DEFAULT_PLAN.read_text(encoding="utf-8")


def test_default_plan_records(plan):
    chapter, project, item = plan.get("五"), plan.get("五(一)"), plan.get("五(一)1")
    assert (chapter.kind, chapter.title, chapter.parent_id) == ("chapter", "重点工程", None)
    assert chapter.body.startswith("面向经济建设主战场") and chapter.body.endswith("等五大工程。")
    assert (project.kind, project.title, project.parent_id) == ("project", "创新基础提升工程", "五")
    assert (item.kind, item.title, item.parent_id) == ("item", "布局十大重大科技基础设施", "五(一)")
    assert item.path == ["五、重点工程", "(一)创新基础提升工程", "1. 布局十大重大科技基础设施"]
    assert item.heading == "1. 布局十大重大科技基础设施"
    assert item.body.startswith("以国家重大战略需求为导向") and "\n" not in item.body
    assert item.full_text == f"{item.heading}\n{item.body}" == item.text
    assert item.plan == plan.name

    box = plan.get("专栏11")
    assert (box.kind, box.title, box.parent_id, box.body) == ("box", "创新基础提升计划", "五(一)", "")
    assert box.path == ["专栏11 创新基础提升计划"]


def test_default_plan_box_items(plan):
    nobel = plan.get("专栏11.3")
    assert (nobel.kind, nobel.title, nobel.parent_id) == ("box_item", "诺贝尔奖科学家实验室", "专栏11")
    assert nobel.path == ["专栏11 创新基础提升计划", "3. 诺贝尔奖科学家实验室"]
    assert nobel.body == "诺贝尔奖科学家实验室以诺贝尔奖获得者为核心,在化学、生物、光电等领域建设十个科学实验室。"
    assert nobel.full_text == "3. " + nobel.body
    # The trap: 6 follows main item 5, but the line's shape makes it a box item.
    cluster = plan.get("专栏11.6")
    assert (cluster.title, cluster.parent_id) == ("创新企业集群", "专栏11")
    assert cluster.body.startswith("创新企业集群。重点支持华为")
    assert plan.get("五(一)6") is None and plan.get("五(二)6").title == "加快推进人才体制机制改革创新"
    titles = {s.id: s.title for s in plan if s.kind == "box_item"}
    assert titles["专栏11.1"] == "科技基础设施"
    assert titles["专栏11.4"] == "高等院校和科研机构"
    assert titles["专栏11.5"] == "创新载体"
    assert titles["专栏13.1"] == "国际科技创新合作"  # "1.国际…" without a space
    assert titles["专栏16.3"] == "医学检测"
    assert titles["专栏16.4"] == "健康管理及重大疾病防治"
    assert titles["专栏18.6"] == "全民科技普及"
    assert all(2 <= len(t) <= 16 for t in titles.values())


def test_default_plan_boxes_end_where_the_outline_resumes(plan):
    assert plan.get("五(四)14").parent_id == "五(四)"
    assert [s.id for s in plan.children("专栏14")] == ["专栏14.1", "专栏14.2", "专栏14.3"]
    assert [s.id for s in plan.children("五(四)")] == [
        "五(四)13", "专栏14", "五(四)14", "专栏15", "五(四)15", "专栏16", "五(四)16", "专栏17",
    ]
    assert plan.get("专栏18.6").end == len(plan.text)


def test_default_plan_coverage(plan):
    assert_covered_once(plan)
    s = plan.get("五(一)1")
    assert plan.text[s.start : s.end].startswith("1.\xa0布局十大重大科技基础设施")
    assert plan.text[s.start : s.end].endswith("人造生命设计合成测试设施等基础设施。")


def test_plan_helpers(plan):
    assert isinstance(plan.get("五(一)1"), Section)
    assert plan.get("五（一）１") is plan.get("五(一)1") is plan["五(一)1"]
    assert plan.get("专栏 11．3") is plan.get("专栏11.3")
    assert "五(五)22" in plan and "五(五)23" not in plan
    with pytest.raises(KeyError, match="outline"):
        plan["六"]
    assert [s.id for s in plan.children()] == ["五"]
    assert len(plan.children("五")) == 5
    assert list(plan) == plan.sections and len(plan) == 70
    outline = plan.outline().splitlines()
    assert outline[0] == "五  重点工程"
    assert outline[1] == "  五(一)  创新基础提升工程"
    assert "      专栏11.3  诺贝尔奖科学家实验室" in outline
    assert normalize_id(" 五（一） １ ") == "五(一)1"


# --- synthetic plans --------------------------------------------------------------------------------------


def ids(plan: Plan) -> list[str]:
    return [s.id for s in plan]


def test_full_width_without_blank_lines():
    plan = load_plan(DATA / "plans" / "fullwidth_no_blank.txt")
    assert ids(plan) == ["一", "二", "二(一)", "二(一)1", "二(一)1(1)", "二(一)1(2)", "二(一)2", "二(二)", "十一", "二十三"]
    assert plan.title == "某市科技发展规划"
    sub = plan.get("二(一)1(1)")
    assert (sub.kind, sub.title, sub.inline) == ("subitem", "国家实验室", True)
    assert sub.full_text == "（１）国家实验室。争取国家实验室落户本市。"
    # Body lines that start with a year, a decimal or 一是 are not headings.
    assert plan.get("二(一)2").body == "1.5亿元用于支持企业。\n一是加强企业创新，二是培育新型研发机构。"
    assert_covered_once(plan)


def test_chapter_and_section_plans():
    plan = load_plan(DATA / "plans" / "chapters.txt")
    assert ids(plan) == [
        "第一章", "第一章第一节", "第一章第一节一", "第一章第一节一(一)", "第一章第一节一(一)1",
        "第一章第一节一(一)1(1)", "第一章第二节", "第二章", "第十二章",
    ]
    assert [s.kind for s in plan][:6] == ["part", "section", "chapter", "project", "item", "subitem"]
    assert plan.get("第一章第一节").title == "主要成就"
    assert plan.get("第一章第一节").body == "2020年，全省研发投入增长10%。"
    assert plan.metadata["date"] == "2021-06-30"
    assert_covered_once(plan)


def test_box_as_last_thing_and_numbers_continuing_main_items():
    plan = load_plan(DATA / "plans" / "box_last.txt")
    assert ids(plan) == [
        "一", "一(一)", "一(一)1", "一(一)2", "专栏3", "专栏3.3", "专栏3.4",
        "一(二)", "一(二)3", "专栏4", "专栏4.1", "专栏4.2",
    ]
    assert plan.get("专栏3").title == "产业创新工程"  # "专栏 3：" form
    last = plan.get("专栏4.2")
    assert last.title == "创新园区"
    assert last.body == "创新园区在全省建设一批园区，带动区域发展。\n园区面积达到100平方公里。"
    assert last.end == len(plan.text.rstrip())
    assert_covered_once(plan)


def test_box_trap_same_number_in_box_and_outline():
    plan = load_plan(DATA / "plans" / "trap.txt")
    assert ids(plan)[-4:] == ["专栏9.1", "专栏9.2", "专栏9.3", "七(一)3"]
    assert plan.get("七(一)3").title == "加大资金投入"
    assert_covered_once(plan)


@pytest.mark.parametrize("name", ["fullwidth_no_blank", "chapters", "box_last", "trap"])
def test_crlf_and_bom_give_the_same_sections(tmp_path, name):
    source = DATA / "plans" / f"{name}.txt"
    lf = load_plan(source)
    path = tmp_path / source.name
    path.write_bytes(b"\xef\xbb\xbf" + source.read_text(encoding="utf-8").replace("\n", "\r\n").encode())
    crlf = load_plan(path)
    assert not crlf.text.startswith("\ufeff") and "\r\n" in crlf.text
    fields = lambda p: [(s.id, s.kind, s.title, s.heading, s.body, s.path, s.parent_id) for s in p]
    assert fields(crlf) == fields(lf)
    assert_covered_once(crlf)


def test_box_with_heading_style_items():
    text = (
        "一、重点任务\n1. 发展产业\n壮大产业集群。\n专栏1 重大工程\n1. 产业集群\n建设产业集群。\n"
        "2. 创新平台\n建设创新平台。\n4. 优化环境\n完善政策环境。\n"
    )
    plan = parse_plan(text, "t")
    assert ids(plan) == ["一", "一1", "专栏1", "专栏1.1", "专栏1.2", "一4"]
    assert plan.get("专栏1.1").body == "建设产业集群。"


def test_a_subscript_on_a_line_of_its_own_rejoins_its_sentence():
    # As the 2017 and 2022 government work reports were transcribed: M2 and PM2.5 split over three lines.
    text = (
        "一、今年目标\n广义货币M\n2\n和社会融资规模余额预期增长均为12%左右。\n"
        "细颗粒物（PM\n2.5\n）年均浓度下降。\n2\n二、任务\n完成任务。\n"
    )
    plan = parse_plan(text, "t")
    assert ids(plan) == ["一", "二"]
    assert plan.get("一").body == "广义货币M2和社会融资规模余额预期增长均为12%左右。\n细颗粒物（PM2.5）年均浓度下降。\n2"
    assert plan.get("一").end == text.index("\n二、")  # the joined lines keep their span in the source


def test_box_with_parenthesised_items_and_subpoints():
    text = "一、任务\n专栏2：工程\n（1）平台。建设平台。\n（2）环境。优化环境。\n二、保障\n加强保障。\n"
    plan = parse_plan(text, "t")
    assert ids(plan) == ["一", "专栏2", "专栏2.1", "专栏2.2", "二"]
    assert plan.get("专栏2").parent_id == "一"
    # Inside a "1." box, short "(1)" sub-points stay in the item's body.
    plan = parse_plan("一、任务\n专栏2 工程\n1. 平台。建设平台：\n(1)建设国家级平台\n(2)建设省级平台\n", "t")
    assert ids(plan) == ["一", "专栏2", "专栏2.1"]
    assert plan.get("专栏2.1").body == "平台。建设平台：\n(1)建设国家级平台\n(2)建设省级平台"


def test_levels_may_be_skipped_and_inline_headings():
    plan = parse_plan("一、总体要求\n1. 坚持创新。把创新摆在核心位置。\n2. 坚持开放\n扩大开放合作。\n", "t")
    assert ids(plan) == ["一", "一1", "一2"]
    first = plan.get("一1")
    assert (first.title, first.heading, first.inline) == ("坚持创新", "1. 坚持创新", True)
    assert first.body == "坚持创新。把创新摆在核心位置。"


def test_lines_that_look_numbered_but_are_not_headings():
    text = (
        "一、任务\n2020年全市研发投入达到1000亿元。\n1.5亿元用于支持企业。\n一是加强研究，二是推动转化。\n"
        "一、二、三产业融合发展。\n1、2号线建成通车。\n专栏5所列项目，按计划推进。\n第一章规定的目标，如期完成。\n"
    )
    plan = parse_plan(text, "t")
    # 第一章规定的… is an inline 第X章 heading by marker; everything else is body.
    assert ids(plan) == ["一", "第一章"]
    assert len(plan.get("一").body.split("\n")) == 6


def test_markdown_headings():
    plan = parse_plan("# 某规划\n\n## 一、任务\n\n内容。\n\n### （一）平台\n\n内容。\n", "md")
    assert ids(plan) == ["一", "一(一)"]
    assert plan.title == "某规划"
    assert plan.get("一(一)").title == "平台"


def test_repeated_numbers_stay_citable():
    plan = parse_plan("一、甲\n内容。\n一、乙\n内容。\n", "t")
    assert ids(plan) == ["一", "一#2"]


def test_preamble_metadata():
    text = "某市规划\n信息来源：市科技局\n发布日期：2021年3月1日\n（征求意见稿）\n一、总则\n内容。\n"
    plan = parse_plan(text, "t", path="x.txt")
    assert plan.title == "某市规划"
    assert plan.metadata == {"source": "市科技局", "date": "2021年3月1日", "preamble": "（征求意见稿）"}
    assert plan.path == "x.txt"


def test_no_headings_is_an_error(tmp_path):
    path = tmp_path / "prose.txt"
    path.write_text("这是一段没有编号标题的文字。\n第二段文字。\n", encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"prose.txt: no numbered headings \(第X章 / 一、 / \(一\) / 1\. / 专栏N\)"):
        load_plan(path)


def test_name_defaults_to_stem_and_can_be_overridden():
    assert load_plan(DATA / "plans" / "trap.txt").name == "trap"
    plan = load_plan(DATA / "plans" / "trap.txt", name="保障")
    assert plan.name == "保障" and {s.plan for s in plan} == {"保障"}


# --- generated plans --------------------------------------------------------------------------------------

CJK = "创新科技产业发展建设推进平台服务体系能力提升加强完善人才资源合作机制政策城市企业研究中心实验基础应用区域环境"
STYLES = ["zhang", "jie", "cn", "cn_paren", "num", "num_paren"]
KIND = {"zhang": "part", "jie": "section", "cn": "chapter", "cn_paren": "project", "num": "item", "num_paren": "subitem"}
words = st.text(alphabet=CJK, min_size=2, max_size=12)


def cn_numeral(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def full_width(s: str) -> str:
    return s.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


@st.composite
def sentences(draw) -> str:
    w = draw(words)
    return draw(st.sampled_from([f"{w}。", f"2020年{w}。", f"1.5亿元用于{w}。", f"一是{w}，二是{w}。"]))


@st.composite
def markers(draw, style: str, n: int) -> tuple[str, str]:
    """(marker as written, ID token)."""
    digits = draw(st.sampled_from([str(n), full_width(str(n))]))
    open_, close = draw(st.sampled_from(["()", "（）", "(）"]))
    if style in ("zhang", "jie"):
        token = f"第{cn_numeral(n)}{'章' if style == 'zhang' else '节'}"
        return token + draw(st.sampled_from(["", " ", "\u3000"])), token
    if style == "cn":
        return f"{cn_numeral(n)}、", cn_numeral(n)
    if style == "cn_paren":
        return f"{open_}{cn_numeral(n)}{close}", f"({cn_numeral(n)})"
    if style == "num":
        return digits + draw(st.sampled_from([". ", ".", "、", "．"])), str(n)
    return f"{open_}{digits}{close}", f"({n})"


@st.composite
def generated_plans(draw):
    """A random outline rendered to text, and the (id, kind, title, parent_id) the parser must recover."""
    levels = sorted(draw(st.lists(st.sampled_from(STYLES), min_size=1, max_size=4, unique=True)), key=STYLES.index)
    running = draw(st.booleans())  # item numbers run on across parents, as in the default plan
    counter = 0
    blocks = []  # (lines, heading_shaped, rank, chain of (rank, id) from the root to this block, expected record)

    def gen(depth: int, parent: tuple) -> None:
        nonlocal counter
        style = levels[depth]
        for k in range(1, draw(st.integers(1 if depth == 0 else 0, 3)) + 1):
            if style == "num" and running:
                counter += 1
                k = counter
            marker, token = draw(markers(style, k))
            parent_id = parent[-1][1] if parent else None
            sid = (parent_id or "") + token
            title = draw(words)
            if draw(st.booleans()):
                lines = [marker + title] + draw(st.lists(sentences(), min_size=1, max_size=2))
                shaped = True
            else:
                lines = [f"{marker}{title}。{draw(sentences())}"] + draw(st.lists(sentences(), max_size=2))
                shaped = False
            chain = parent + ((STYLES.index(style), sid),)
            blocks.append((lines, shaped, STYLES.index(style), chain, (sid, KIND[style], title, parent_id)))
            if depth + 1 < len(levels):
                gen(depth + 1, chain)

    gen(0, ())
    box_no = draw(st.integers(1, 20))
    rendered, expected = [], []
    for j in range(len(blocks) + 1):
        # A box may go where the outline resumes with a clear heading, or at the end of the file.
        next_ok = j == len(blocks) or blocks[j][2] < STYLES.index("num") or blocks[j][1]
        if j > 0 and next_ok and draw(st.booleans()):
            parent = next((sid for rank, sid in reversed(blocks[j - 1][3]) if rank < STYLES.index("num")), None)
            title = draw(words)
            rendered.append(f"专栏{draw(st.sampled_from([str(box_no), full_width(str(box_no))]))}"
                            f"{draw(st.sampled_from(['', ' ', '：', ' : ']))}{title}")
            expected.append((f"专栏{box_no}", "box", title, parent))
            if draw(st.booleans()):
                rendered.append(draw(sentences()))
            first = draw(st.integers(1, 6))  # box numbers may continue the main numbers (the trap)
            for m in range(first, first + draw(st.integers(1, 3))):
                label = draw(words)
                sep = draw(st.sampled_from([". ", ".", "．", "、"]))
                rendered.append(f"{draw(st.sampled_from([str(m), full_width(str(m))]))}{sep}{label}。{draw(sentences())}")
                rendered += draw(st.lists(sentences(), max_size=1))
                expected.append((f"专栏{box_no}.{m}", "box_item", label, f"专栏{box_no}"))
            box_no += 1
        if j < len(blocks):
            rendered += blocks[j][0]
            expected.append(blocks[j][4])

    preamble = draw(st.sampled_from([[], ["某市规划"], ["某市规划", "信息来源：科技局", "2017年10月31日"]]))
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    blank = st.sampled_from(["", " ", "\u3000", "\xa0\xa0"])
    out = []
    for line in preamble + rendered:
        indent = draw(st.sampled_from(["", "  ", "\u3000\u3000"]))
        trail = draw(st.sampled_from(["", " ", "\xa0"]))
        out.append(indent + line + trail)
        out += draw(st.lists(blank, max_size=2))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    return bom + eol.join(out) + draw(st.sampled_from(["", eol])), expected, preamble


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(generated_plans())
def test_generated_plans_round_trip(case):
    text, expected, preamble = case
    plan = parse_plan(text, "gen")
    assert [(s.id, s.kind, s.title, s.parent_id) for s in plan] == expected
    assert_covered_once(plan)
    if preamble:
        assert plan.title == "某市规划"


def test_a_sentence_heading_keeps_its_whole_title():
    """A report's "（一）稳定和完善宏观经济政策，保持经济运行在合理区间。…" is titled by that whole sentence."""
    reports = Path(__file__).resolve().parents[1] / "data" / "corpora" / "gov-work-reports"
    plan = load_plan(reports / "government-work-report-2016.txt")
    assert plan.get("三(一)").title == "稳定和完善宏观经济政策，保持经济运行在合理区间"
    assert plan.get("三(五)").title == "推进新一轮高水平对外开放，着力实现合作共赢"
    plan = load_plan(reports / "government-work-report-2018.txt")
    assert plan.get("一(二)").title.startswith("坚持以供给侧结构性改革为主线，着力培育壮大新动能")
