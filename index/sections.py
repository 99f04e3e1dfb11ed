"""Split a Chinese plan's text into numbered sections with stable, citable IDs such as 五(一)1 and 专栏11.3."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .numbering import SENTENCE_END, TO_ASCII, Marker, classify, heading_like
from .readers import DEFAULT_MAX_BYTES, PlanFileError, read_plan_file

__all__ = ["Section", "Plan", "parse_plan", "load_plan", "normalize_id", "PlanFileError", "KINDS"]

# Numbering style -> section kind, outermost first. A kind always means one marker style,
# so 第X章 is a "part" (一、 keeps the name "chapter" it has in plans without 第X章).
KINDS = {
    "zhang": "part",  # 第X章
    "jie": "section",  # 第X节
    "cn": "chapter",  # 一、
    "cn_paren": "project",  # (一) （一）
    "num": "item",  # 1. 1、 1． １．
    "num_paren": "subitem",  # (1) （1）
}
BOX, BOX_ITEM = "box", "box_item"
_RANK = {style: rank for rank, style in enumerate(KINDS)}


LABEL_MAX = 16  # longest label taken from the start of an inline item
_LABEL_END = re.compile(r"[。：:；;]")
_PUNCT = re.compile(r"[，,、。；;：:！!？?（(“\"《【\[]")
# Prepositions and policy verbs that start the sentence after an unpunctuated label:
# "诺贝尔奖科学家实验室以诺贝尔奖获得者为核心" -> "诺贝尔奖科学家实验室".
_LEADING_WORDS = (
    "在", "以", "对", "为", "向", "按照", "通过", "围绕", "依托", "面向", "支持", "推进", "推动", "加快",
    "加强", "加大", "引进", "引导", "鼓励", "开展", "实施", "建立", "完善", "提升", "提高", "培育", "促进",
    "积极", "大力", "着力", "深化",
)
# Words where those characters do not start a new phrase.
_NOT_LEADING = {
    "以上", "以下", "以及", "以来", "所以", "可以", "难以", "加以", "予以", "得以", "在于", "现在", "存在",
    "所在", "正在", "实在", "潜在", "作为", "成为", "认为", "因为", "行为", "为主", "对于", "对外", "对接",
    "面对", "针对", "相对", "导向", "方向", "走向", "倾向", "转向", "通向",
}
_SOURCE = re.compile(r"(?:信息来源|来源|发布机构|发布单位|发文机关)\s*[:：]\s*(.+)")
_DATE = re.compile(
    r"(?:(?:发布|成文|印发)?(?:日期|时间)\s*[:：]\s*)?"
    r"(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})"
)


@dataclass
class Section:
    """One numbered section of a plan; `plan_text[start:end]` is its heading line through its own body."""

    id: str  # e.g. "五(一)1", "专栏11.3"
    kind: str  # a KINDS value, "box" or "box_item"
    title: str  # e.g. "布局十大重大科技基础设施"
    heading: str  # the stripped heading line; for an inline item, its marker and label
    body: str  # own text (not the children's): stripped lines, inner whitespace made " ", joined with "\n"
    path: list[str]  # headings from the outermost ancestor down to this section
    parent_id: str | None
    plan: str  # the plan's name
    start: int
    end: int
    marker: str = ""  # the numbering as written, e.g. "1." or "（一）"
    inline: bool = False  # the text starts on the heading line (box items, "1. 标签。正文…")

    @property
    def full_text(self) -> str:
        """Heading and body, for display."""
        if self.inline:
            return f"{self.marker}{_gap(self.marker)}{self.body}"
        return f"{self.heading}\n{self.body}" if self.body else self.heading

    @property
    def text(self) -> str:
        return self.full_text

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass
class Plan:
    """A parsed plan: its decoded text, preamble metadata and sections in document order."""

    name: str
    title: str
    text: str
    sections: list[Section]
    metadata: dict[str, str] = field(default_factory=dict)
    path: str | None = None
    sha256: str = ""
    _by_id: dict[str, Section] = field(init=False, repr=False, compare=False)
    _children: dict[str | None, list[Section]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.sections}
        self._children = {}  # answers and routes ask for children per question: one pass here, not one per call
        for s in self.sections:
            self._children.setdefault(s.parent_id, []).append(s)
        if not self.sha256:
            self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def __iter__(self) -> Iterator[Section]:
        return iter(self.sections)

    def __len__(self) -> int:
        return len(self.sections)

    def __contains__(self, section_id: object) -> bool:
        return isinstance(section_id, str) and normalize_id(section_id) in self._by_id

    def __getitem__(self, section_id: str) -> Section:
        found = self.get(section_id)
        if found is None:
            raise KeyError(f"no section {section_id!r} in plan {self.name!r}; see plan.outline() for the IDs")
        return found

    def get(self, section_id: str) -> Section | None:
        """The section with this ID (full-width digits and brackets accepted), or None."""
        return self._by_id.get(normalize_id(section_id))

    def children(self, section_id: str | None = None) -> list[Section]:
        """Direct children of a section, or the top-level sections when section_id is None."""
        parent = None if section_id is None else normalize_id(section_id)
        return list(self._children.get(parent, ()))

    def depth(self, section_id: str) -> int:
        depth, s = 0, self[section_id]
        while s.parent_id is not None:
            depth, s = depth + 1, self._by_id[s.parent_id]
        return depth

    def outline(self) -> str:
        """One line per section, indented by depth: "  五(一)1  布局十大重大科技基础设施"."""
        return "\n".join(f"{'  ' * self.depth(s.id)}{s.id}  {s.title}" for s in self.sections)


def normalize_id(section_id: str) -> str:
    """Canonical form of a typed ID: ASCII digits, brackets and dots, no spaces ("五（一）１" -> "五(一)1")."""
    return re.sub(r"\s+", "", section_id.translate(TO_ASCII))


def _gap(marker: str) -> str:
    return " " if marker.endswith((".", "．")) else ""


@dataclass
class _Line:
    start: int  # offset of the first non-blank character
    end: int  # offset after the last non-blank character
    text: str  # the line, stripped, inner whitespace (NBSP, ideographic space) made one ASCII space


def _split_lines(text: str) -> list[_Line]:
    """Non-blank lines with their offsets; \\r\\n, \\r and \\n all end a line."""
    lines = []
    for m in re.finditer(r"[^\r\n]+", text):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            start = m.start() + len(raw) - len(raw.lstrip())
            lines.append(_Line(start, start + len(stripped), re.sub(r"\s+", " ", stripped)))
    return _rejoin_subscripts(lines)


# A subscript a transcription put on a line of its own: "广义货币M" / "2" / "和社会融资规模余额…" is "广义货币M2和…",
# "细颗粒物（PM" / "2.5" / "）年均浓度…" is "PM2.5）…" (in the 2017 and 2022 government work reports). Left apart, the
# figure after it lost its subject and M2 or PM2.5 matched nothing.
_SUBSCRIPT = re.compile(r"[0-9.]{1,4}")


def _rejoin_subscripts(lines: list[_Line]) -> list[_Line]:
    out: list[_Line] = []
    i = 0
    while i < len(lines):
        a = lines[i]
        if (
            i + 2 < len(lines)
            and a.text[-1:].isascii() and a.text[-1:].isalpha()
            and _SUBSCRIPT.fullmatch(lines[i + 1].text)
            and classify(lines[i + 2].text) is None
        ):
            c = lines[i + 2]
            out.append(_Line(a.start, c.end, a.text + lines[i + 1].text + c.text))
            i += 3
            continue
        out.append(a)
        i += 1
    return out


def _short_label(rest: str) -> str:
    """A short leading label of a long inline item: up to the first punctuation, at most LABEL_MAX characters,
    cut before a preposition or verb that starts the sentence."""
    m = _PUNCT.search(rest)
    label = (rest[: m.start()] if m and m.start() > 0 else rest)[:LABEL_MAX]
    for i in range(2, len(label)):
        for word in _LEADING_WORDS:
            if label.startswith(word, i) and label[i - 1 : i + 1] not in _NOT_LEADING and label[i : i + 2] not in _NOT_LEADING:
                return label[:i]
    return label


# Outline levels whose inline heading is a whole sentence ("（一）稳定和完善宏观经济政策，保持经济运行在合理区间。…"):
# their title is that sentence, not a short label. Numbered items keep short labels ("创新载体。在重点…").
_SENTENCE_TITLED = ("zhang", "jie", "cn", "cn_paren")
TITLE_SENTENCE_MAX = 80  # a first sentence longer than this is body text, not a heading


def _title(rest: str, style: str = "") -> str:
    if style in _SENTENCE_TITLED and not heading_like(rest):
        end = SENTENCE_END.search(rest, 0, TITLE_SENTENCE_MAX + 1)
        if end and end.start() > 0:
            return rest[: end.start()]
    m = _LABEL_END.search(rest, 0, LABEL_MAX + 1)
    if m and m.start() > 0:
        return rest[: m.start()]  # "创新载体。在重点…" -> "创新载体"
    if heading_like(rest):
        return rest.rstrip("：: ")
    return _short_label(rest)


@dataclass
class _Box:
    section: Section
    item_style: str | None = None  # "num" or "num_paren", set by the first item
    heading_items: bool = False  # items are heading lines with a body below, not inline paragraphs
    last: int = 0  # number of the last item


class _Parser:
    """Walks the non-blank lines once, keeping the open main headings on a stack and the open box aside."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        self.lines = _split_lines(text)
        self.marks = [classify(line.text) for line in self.lines]
        self.sections: list[Section] = []
        self.bodies: list[list[str]] = []
        self.preamble: list[str] = []
        self.stack: list[tuple[int, Section]] = []
        self.box: _Box | None = None
        self.ids: set[str] = set()

    def run(self) -> list[Section]:
        for i, (line, mark) in enumerate(zip(self.lines, self.marks)):
            role = self._role(i, mark)
            if role == "body":
                if self.sections:
                    self.bodies[-1].append(line.text)
                    self.sections[-1].end = line.end
                else:
                    self.preamble.append(line.text)
                continue
            assert mark is not None
            if role == "main":
                self.box = None
                self._add_main(i, mark)
            elif role == "box":
                self._add_box(i, mark)
            else:
                self._add_box_item(i, mark)
        for section, body in zip(self.sections, self.bodies):
            section.body = "\n".join(body)
        return self.sections

    def _shaped(self, i: int) -> bool:
        """A heading line: short, no sentence, with a separate body paragraph right after it."""
        mark = self.marks[i]
        return (
            mark is not None
            and heading_like(mark.rest)
            and i + 1 < len(self.lines)
            and self.marks[i + 1] is None
        )

    def _role(self, i: int, mark: Marker | None) -> str:
        """Classify a line as body, main, box or box_item; inside a box, line shape says if the outline resumed."""
        if mark is None:
            return "body"
        if mark.style == "box":
            return "box"
        box = self.box
        if box is None or _RANK[mark.style] < _RANK["num"]:
            return "main"
        number, shaped = int(mark.number), self._shaped(i)
        if box.item_style is None:
            return "main" if shaped and number != 1 else "box_item"
        if mark.style == box.item_style:
            if not shaped:
                return "box_item"
            # Heading-shaped items can only be told from the main outline by their running number.
            return "box_item" if box.heading_items and number == box.last + 1 else "main"
        return "main" if shaped else "body"

    def _new(self, i: int, mark: Marker, kind: str, sid: str, parent: Section | None, inline: bool) -> Section:
        line = self.lines[i]
        title = _title(mark.rest, mark.style)
        heading = f"{mark.marker}{_gap(mark.marker)}{title}" if inline else line.text
        if sid in self.ids:  # a repeated number: keep every section citable
            n = 2
            while f"{sid}#{n}" in self.ids:
                n += 1
            sid = f"{sid}#{n}"
        self.ids.add(sid)
        path = [heading] if kind == BOX else [*(parent.path if parent else []), heading]
        section = Section(
            id=sid, kind=kind, title=title, heading=heading, body="", path=path,
            parent_id=parent.id if parent else None, plan=self.name,
            start=line.start, end=line.end, marker=mark.marker, inline=inline,
        )
        self.sections.append(section)
        self.bodies.append([mark.rest] if inline and mark.rest else [])
        return section

    def _add_main(self, i: int, mark: Marker) -> None:
        rank = _RANK[mark.style]
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        parent = self.stack[-1][1] if self.stack else None
        sid = (parent.id if parent else "") + mark.token
        inline = mark.rest.rstrip("：: ") != _title(mark.rest, mark.style)
        section = self._new(i, mark, KINDS[mark.style], sid, parent, inline)
        self.stack.append((rank, section))

    def _add_box(self, i: int, mark: Marker) -> None:
        # A box belongs to the innermost open heading above the item level (专栏11 -> 五(一)).
        parent = next((s for rank, s in reversed(self.stack) if rank < _RANK["num"]), None)
        self.box = _Box(self._new(i, mark, BOX, mark.token, parent, inline=False))

    def _add_box_item(self, i: int, mark: Marker) -> None:
        box = self.box
        assert box is not None
        shaped = self._shaped(i)
        if box.item_style is None:
            box.item_style, box.heading_items = mark.style, shaped
        box.last = int(mark.number)
        sid = f"{box.section.id}.{mark.number}"
        self._new(i, mark, BOX_ITEM, sid, box.section, inline=not shaped)


def _metadata(preamble: list[str]) -> tuple[str, dict[str, str]]:
    """The title line, and source/date/other lines found before the first heading."""
    title, meta, rest = "", {}, []
    for line in preamble:
        line = re.sub(r"^#{1,6}\s*", "", line)  # a Markdown title
        source, date = _SOURCE.fullmatch(line), _DATE.fullmatch(line)
        if source and "source" not in meta:
            meta["source"] = source.group(1).strip()
        elif date and "date" not in meta:
            meta["date"] = date.group(1)
        elif not title:
            title = line
        else:
            rest.append(line)
    if rest:
        meta["preamble"] = "\n".join(rest)
    return title, meta


def parse_plan(text: str, name: str, path: str | None = None) -> Plan:
    """Parse plan text into a Plan; offsets index the text with any BOM removed."""
    text = text.removeprefix("\ufeff")
    parser = _Parser(text, name)
    sections = parser.run()
    if not sections:
        where = path or name
        raise PlanFileError(
            f"{where}: no numbered headings (第X章 / 一、 / (一) / 1. / 专栏N) were found, so the plan cannot be split "
            "into sections; check it is a plan and that each heading starts its own line"
        )
    title, metadata = _metadata(parser.preamble)
    return Plan(name=name, title=title or name, text=text, sections=sections, metadata=metadata, path=path)


def load_plan(path: str | Path, name: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Plan:
    """Read and parse a plan file; the name defaults to the file stem."""
    path = Path(path)
    decoded = read_plan_file(path, max_bytes=max_bytes)
    plan = parse_plan(decoded.text, name or path.stem, path=str(path))
    plan.metadata["encoding"] = decoded.encoding
    return plan
