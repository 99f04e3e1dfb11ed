"""Writes the answer: the lead sentence, one cited line per passage, outlines and refusals, in the question's language."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .cues import ASKING_HEAD, ASKING_TAIL
from .passages import Composition, Evidence, Passage
from .question import COUNT, HOW, LIST, LOCATE, MONEY, PERCENT, PERSON, TIME, Question
from .records import Citation
from .refusal import Verdict

_KIND_NAMES = {
    MONEY: ("具体金额", "an amount of money"),
    PERCENT: ("具体比例", "a percentage or share"),
    TIME: ("具体时间", "a date or deadline"),
    PERSON: ("具体人名", "names of people"),
    "count": ("具体数量", "that number"),
    "number": ("具体数字", "that figure"),
    "per": ("按所问单位（每户、每人、每月等）计算的数字或分项数字", "that figure per unit or broken down as asked"),
}


@dataclass
class Draft:
    """An answer before it becomes an Answer: its lines (lead first), the passages quoted and related reading."""

    lines: list[str]
    passages: list[Passage] = field(default_factory=list)
    answerable: bool = True
    related: list[Passage] = field(default_factory=list)
    reason: str = ""
    signals: dict[str, float | str | bool] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def citations(self) -> list[Citation]:
        return Composition(self.passages).citations()

    def related_citations(self) -> list[Citation]:
        return Composition(self.related).citations()


@dataclass(frozen=True)
class Frame:
    """How the answer refers to the documents: by their kind (规划, 报告 …), and by short title among several."""

    kind: str = "规划"
    kind_en: str = "plan"
    several: bool = False  # sections are named with their document: 《2016年政府工作报告》三(一)

    def the(self, english: bool) -> str:
        return f"The {self.kind_en}" if english else self.kind


PLAN_FRAME = Frame()


def _name(p: Passage, english: bool) -> str:
    s = p.evidence.section
    return f"{p.evidence.shown} ({s.title})" if english else f"{p.evidence.shown}「{s.title}」"


def _quoted(p: Passage) -> str:
    return f"{p.display}[{p.evidence.shown}]"


def _lead(question: Question, p: Passage, frame: Frame = PLAN_FRAME) -> str:
    name = _name(p, question.english)
    the = frame.the(question.english)
    if frame.several:
        return f"According to {name}:" if question.english else f"据{name}："
    if question.english:
        if question.wants(COUNT):
            return f"{the} gives the figure in {name}:"
        if question.wants(HOW):
            return f"{the} sets out the measures in {name}:"
        if question.wants(LIST):
            return f"{the} lists them in {name}:"
        return f"{the} addresses this in {name}:"
    if question.wants(COUNT):
        return f"关于数量，{the}在{name}中写道："
    if question.wants(HOW):
        return f"{the}在{name}中提出的做法是："
    if question.wants(LIST):
        return f"{the}在{name}中列出："
    return f"{the}在{name}中写道："


def render(question: Question, passages: Sequence[Passage], frame: Frame = PLAN_FRAME) -> list[str]:
    """Lead sentence, then each quote followed by its citation; more sections are introduced as "另见"."""
    if not passages:
        return []
    english = question.english
    the = frame.the(english)
    if len({p.evidence.cite_id for p in passages}) > 2 or (question.wants(LOCATE) and len({p.evidence.cite_id for p in passages}) > 1):
        n = len({p.evidence.cite_id for p in passages})
        lines = [f"{the} speaks to this in {n} places:" if english else f"{the}中有{n}处谈到："]
        for p in passages:
            lines.append(f"- {_name(p, english)}: {_quoted(p)}" if english else f"- {_name(p, english)}：{_quoted(p)}")
        return lines
    lines = [_lead(question, passages[0], frame), _quoted(passages[0])]
    for p in passages[1:]:
        lines.append(f"See also {_name(p, english)}:" if english else f"另见{_name(p, english)}：")
        lines.append(_quoted(p))
    return lines


def render_outline(question: Question, parent: Evidence, children: Sequence[Passage]) -> list[str]:
    """"专栏12「…」下设2项：" and one line per child with the opening of its text."""
    s = parent.section
    english = question.english
    lead = (
        f"{parent.shown} ({s.title}) has {len(children)} items:"
        if english
        else f"{parent.shown}「{s.title}」下设{len(children)}项："
    )
    lines = [lead]
    for p in children:
        c = p.evidence.section
        label = f"{c.marker}{' ' if c.marker.endswith('.') else ''}{c.title}"
        lines.append(f"{label}: {_quoted(p)}" if english else f"{label}：{_quoted(p)}")
    return lines


def render_section(question: Question, passage: Passage, *, name_only: bool = False) -> list[str]:
    """What one named section says ("第18条讲什么？"), or just its title ("专栏17的标题是什么？")."""
    ev, english = passage.evidence, question.english
    s = ev.section
    if name_only:
        lead = f"{ev.shown} is titled 「{s.title}」." if english else f"{ev.shown}的标题是「{s.title}」。"
    else:
        lead = f"{_name(passage, english)} says:" if english else f"{_name(passage, english)}的内容是："
    return [lead, _quoted(passage)]



def asked_phrase(text: str) -> str:
    """What a Chinese question asks about, in its own words: "规划中深圳2020年GDP目标是多少？" -> 深圳2020年GDP目标."""
    phrase = ASKING_HEAD.sub("", text.strip())
    for _ in range(3):
        cut = ASKING_TAIL.sub("", phrase).strip(" ，,、的")
        if cut == phrase or not cut:
            break
        phrase = cut
    return phrase if 2 <= len(phrase) <= 40 else ""


def render_refusal(question: Question, verdict: Verdict, related: Sequence[Passage], frame: Frame = PLAN_FRAME) -> list[str]:
    """Say plainly that the documents do not answer, what they lack when we know it, and offer the nearest sections."""
    english = question.english
    reason, detail = verdict.reason, verdict.detail
    the = frame.the(english)
    asked = "" if english else asked_phrase(question.text)
    if reason == "place":
        first = (
            f"{the} does not mention {detail}, so it cannot answer this."
            if english
            else f"{the}中没有提到“{detail}”，无法回答这个问题。"
        )
    elif reason == "year":
        first = f"{the} says nothing about {detail}." if english else f"{the}中没有关于{detail}年的内容，无法回答这个问题。"
    elif reason == "quoted":
        first = f"{the} does not contain “{detail}”." if english else f"{the}中没有“{detail}”这一提法，无法回答这个问题。"
    elif reason == "period":
        first = (
            f"{the} touches on this topic, but its closest passages speak of other years: it does not give that "
            "figure for the year asked."
            if english
            else f"{the}涉及相关内容，但最接近的段落说的是其他年份，没有给出{('“' + asked + '”') if asked else '所问年份'}的数字。"
        )
    elif reason.startswith("missing:") or reason == "stance":
        zh, en = _KIND_NAMES.get(detail, ("具体数据", "that figure"))
        if reason == "stance":
            zh, en = "所问的这一项（目标与实际完成情况不同）", "that figure (a target is not an outcome)"
        first = (
            f"{the} touches on this topic but does not give {en}."
            if english
            else f"{the}涉及相关内容，但没有给出{('“' + asked + '”的') if asked else ''}{zh}。"
        )
    elif reason == "unknown_ref":
        first = f"{the} has no {detail}." if english else f"{the}中没有{detail}。"
    else:
        first = (
            f"{the} does not say: no section of it answers this question."
            if english
            else (f"{the}中没有给出“{asked}”。" if asked else f"{the}中没有找到回答这个问题的内容。")
        )
    lines = [first]
    if related:
        lines.append("Nearest sections, for related reading:" if english else "以下章节最接近，可供参考：")
        for p in related:
            lines.append(f"- {_name(p, english)}")
    return lines
