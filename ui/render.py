"""HTML for the web chat: answers with citation chips, the source panel, the outline and the targets table.

Every piece of text from a plan or a user goes through `esc` (or `highlight`, which escapes); nothing is trusted.
Chips are `<button class="pa-chip" value=ID name=REF>`: the chat's sanitizer keeps `value`, `name` and `title`
but drops `data-*`, so these three attributes carry everything a click needs.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .i18n import t

__all__ = [
    "OutlineNode",
    "SectionView",
    "chip",
    "esc",
    "highlight",
    "link_citations",
    "render_answer",
    "render_error",
    "render_outline",
    "render_pending",
    "render_section",
    "render_source_hint",
    "render_streaming",
    "render_metrics",
    "render_targets",
    "render_user",
]

# An inline citation as answers write it: "[五(一)3]", "【专栏11.3】", "[五(一)3，专栏11]".
_CITATION = re.compile(r"[\[【]([^\[\]【】\n]{1,120})[\]】]")
_ID_SPLIT = re.compile(r"[,，、;；\s]+")
# Where a quote was shortened ("……节选……") and where its sentences end: the pieces are looked up one by one.
_QUOTE_SPLIT = re.compile(r"……|…|\.\.\.|\n|(?<=[。；;！!？?])")
_MIN_PIECE = 4


def esc(text: Any) -> str:
    """Escape for HTML text and quoted attribute values. `=` is encoded too (as OWASP advises for attributes), so
    escaped text never even looks like an attribute such as `onerror=…`."""
    return html.escape("" if text is None else str(text), quote=True).replace("=", "&#x3D;")


def _lines(text: str) -> str:
    """Escaped text whose line breaks survive, on a single line of HTML (the chat's Markdown keeps HTML blocks
    whole only up to a blank line)."""
    return "<br>".join(esc(line) for line in (text or "").split("\n"))


def chip(cid: str, title: str = "", ref: str = "", *, label: str | None = None, quote: str = "", cls: str = "") -> str:
    """A clickable section ID that opens the source panel."""
    extra = f' data-quote="{esc(quote)}"' if quote else ""
    classes = f"pa-chip {cls}".strip()
    return (
        f'<button type="button" class="{classes}" value="{esc(cid)}" name="{esc(ref)}" title="{esc(title)}"{extra}>'
        f"{esc(cid if label is None else label)}</button>"
    )


def link_citations(escaped: str, titles: dict[str, str], ref: str, labels: dict[str, str] | None = None) -> str:
    """Turn the IDs an answer cites into chips: bracketed ("[五(一)3]", "【专栏11.3，五】") and bare ones ("见专栏11.3")
    alike. A bare ID must look like one (a digit, a bracket or 专栏 in it), so the chapter "五" never turns every 五 in
    the text into a chip; other brackets stay as they are."""
    known = {esc(cid): cid for cid in titles}
    shown = {esc(label): label for label, cid in (labels or {}).items() if cid in titles}
    known.update({esc(label): cid for label, cid in (labels or {}).items() if cid in titles})  # 《…报告》三(一) -> its ID
    bare = sorted((e for e, cid in known.items() if re.search(r"[\d(（专]", cid)), key=len, reverse=True)
    pattern = _CITATION.pattern
    if bare:
        ids = "|".join(map(re.escape, bare))
        pattern += rf"|(?<![A-Za-z0-9.:])(?P<bare>{ids})(?![0-9]|\.[0-9])"

    def replace(m: re.Match[str]) -> str:
        if m.group("bare") if bare else None:
            cid = known[m.group("bare")]
            return chip(cid, titles[cid], ref, cls="pa-inline", label=shown.get(m.group("bare")))
        whole = m.group(1)
        if whole in shown:  # a label holds no separators to split on: 《2016年政府工作报告》三(一)
            return chip(known[whole], titles[known[whole]], ref, cls="pa-inline", label=shown[whole])
        ids = [p for p in _ID_SPLIT.split(whole) if p]
        if ids and all(i in known for i in ids):
            return "".join(chip(known[i], titles[known[i]], ref, cls="pa-inline", label=shown.get(i)) for i in ids)
        return m.group(0)

    return re.sub(pattern, replace, escaped)


def render_user(text: str) -> str:
    return f'<div class="pa-user">{_lines(text)}</div>'


def render_pending(lang: str) -> str:
    return f'<div class="pa-answer pa-pending"><span class="pa-muted">{esc(t("thinking", lang))}</span></div>'


def render_streaming(text: str, lang: str) -> str:
    if not text.strip():
        return render_pending(lang)
    return f'<div class="pa-answer pa-streaming"><div class="pa-text">{_lines(text)}</div></div>'


def render_error(reason: str, lang: str) -> str:
    return f'<div class="pa-answer pa-error">{esc(t("error", lang, reason=reason))}</div>'


def _chips_row(label: str, cites: Sequence[Any], ref: str, cls: str) -> str:
    chips = "".join(
        f'<span class="pa-cite">{chip(c.id, c.title, ref)}<span class="pa-cite-title">{esc(c.title)}</span></span>'
        for c in cites
    )
    return f'<div class="{cls}"><span class="pa-label">{esc(label)}</span>{chips}</div>'


def render_answer(answer: Any, turn: int, lang: str) -> str:
    """A finished answer: its text with inline chips, the searched question when it differs, its sources (or, when
    the plan does not say, the related sections) and a copy button holding the plain text."""
    ref = str(turn)
    cites = list(answer.citations)
    related = list(getattr(answer, "related", []) or [])
    titles = {c.id: c.title for c in [*related, *cites]}
    classes = ["pa-answer", "pa-final", "pa-answered" if answer.answerable else "pa-refusal"]
    parts = [f'<div class="{" ".join(classes)}">']
    question, searched = (answer.question or "").strip(), (answer.rewritten_question or "").strip()
    if searched and searched != question:
        parts.append(f'<div class="pa-searched">{esc(t("searched", lang))}：{esc(searched)}</div>')
    labels = {c.label: c.id for c in [*related, *cites] if getattr(c, "label", "")}
    parts.append(f'<div class="pa-text">{link_citations(_lines(answer.text), titles, ref, labels)}</div>')
    if cites:
        parts.append(_chips_row(t("sources", lang), cites, ref, "pa-sources"))
    if related and (not answer.answerable or not cites):
        parts.append(_chips_row(t("related", lang), related, ref, "pa-related"))
    for note in getattr(answer, "notes", []) or []:
        parts.append(f'<div class="pa-note">{esc(note)}</div>')
    mode = getattr(answer, "mode", "") or ""
    parts.append(
        '<div class="pa-tools">'
        f'<button type="button" class="pa-copy" value="{esc(answer.as_plain_text())}" title="{esc(t("copy_title", lang))}">'
        f'{esc(t("copy", lang))}</button>'
        + (f'<span class="pa-mode">{esc(mode)}</span>' if mode else "")
        + "</div></div>"
    )
    return "".join(parts)


def highlight(text: str, quotes: Iterable[str]) -> str:
    """Escaped `text` with every piece of each quote that occurs in it wrapped in <mark class="pa-hl">."""
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        if not quote:
            continue
        whole = quote.strip()
        # A quote found whole is marked whatever its length ("40个"); the pieces of a shortened one need a few
        # characters each, or single words would light up everywhere.
        pieces = [whole] if whole in text else [p.strip().strip("，,：:；;") for p in _QUOTE_SPLIT.split(quote)]
        for piece in pieces:
            if not piece or (piece is not whole and len(piece) < _MIN_PIECE):
                continue
            start = text.find(piece)
            while start != -1:
                spans.append((start, start + len(piece)))
                start = text.find(piece, start + len(piece))
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    out, pos = [], 0
    for a, b in merged:
        out.append(_lines(text[pos:a]))
        out.append(f'<mark class="pa-hl">{_lines(text[a:b])}</mark>')
        pos = b
    out.append(_lines(text[pos:]))
    return "".join(out)


@dataclass(frozen=True)
class SectionView:
    """What the source panel shows about one section; built by the app from the index."""

    cid: str
    title: str
    text: str
    path: Sequence[str]
    plan_title: str = ""
    parent: tuple[str, str] | None = None  # (citation ID, title)
    children: Sequence[tuple[str, str]] = ()


def render_source_hint(lang: str) -> str:
    return f'<div class="pa-source pa-empty"><p class="pa-muted">{esc(t("source_hint", lang))}</p></div>'


def render_section(view: SectionView | None, lang: str, quote: str = "", missing: str = "") -> str:
    if view is None:
        return f'<div class="pa-source pa-empty"><p class="pa-muted">{esc(t("source_missing", lang, sid=missing))}</p></div>'
    crumbs = " › ".join(esc(p) for p in view.path)
    plan = f'<div class="pa-plan-title">{esc(view.plan_title)}</div>' if view.plan_title else ""
    nav = []
    if view.parent:
        nav.append(f'<div><span class="pa-label">{esc(t("parent", lang))}</span>{chip(view.parent[0], view.parent[1])}</div>')
    if view.children:
        kids = "".join(chip(cid, title) for cid, title in view.children)
        nav.append(f'<div><span class="pa-label">{esc(t("children", lang))}</span>{kids}</div>')
    return (
        f'<div class="pa-source" data-sid="{esc(view.cid)}">{plan}'
        f'<div class="pa-crumbs">{crumbs}</div>'
        f'<div class="pa-source-head"><span class="pa-id">{esc(view.cid)}</span>'
        f'<span class="pa-title">{esc(view.title)}</span></div>'
        f'<div class="pa-source-text">{highlight(view.text, [quote] if quote else [])}</div>'
        f'<div class="pa-nav">{"".join(nav)}</div></div>'
    )


@dataclass(frozen=True)
class OutlineNode:
    cid: str
    title: str
    kind: str
    children: list["OutlineNode"]


def _outline_items(nodes: Sequence[Any], depth: int) -> str:
    out = []
    for node in nodes:
        label = f'<span class="pa-node-id">{esc(node.cid)}</span> {esc(node.title)}'
        button = (
            f'<button type="button" class="pa-chip pa-node pa-kind-{esc(node.kind)}" value="{esc(node.cid)}" '
            f'name="" title="{esc(node.title)}">{label}</button>'
        )
        if node.children:
            opened = " open" if depth < 2 else ""
            out.append(
                f"<li><details{opened}><summary>{button}</summary>"
                f"<ul>{_outline_items(node.children, depth + 1)}</ul></details></li>"
            )
        else:
            out.append(f'<li class="pa-leaf">{button}</li>')
    return "".join(out)


def render_outline(plans: Sequence[tuple[str, Sequence[Any]]], lang: str) -> str:
    """The outline as nested, collapsible lists: [(plan title, root OutlineNodes)]."""
    parts = [f'<div class="pa-outline"><p class="pa-muted">{esc(t("outline_hint", lang))}</p>']
    for title, roots in plans:
        parts.append(f'<div class="pa-plan-title">{esc(title)}</div><ul class="pa-tree">{_outline_items(roots, 0)}</ul>')
    parts.append("</div>")
    return "".join(parts)


def _bound_label(target: Any, lang: str) -> str:
    label = t(f"bound_{target.bound}", lang)
    rate = target.rate or ""
    return " ".join(p for p in (rate, label) if p)


def render_targets(rows: Sequence[tuple[str, Any]], total: int, lang: str) -> str:
    """The targets table: [(citation ID, Target)], the quantity highlighted in its clause and sentence."""
    head = (
        f'<div class="pa-targets"><p class="pa-muted pa-count">{esc(t("targets_count", lang, n=len(rows)))}'
        + (f" / {total}" if len(rows) != total else "")
        + "</p>"
    )
    if not rows:
        return head + f'<p class="pa-muted pa-none">{esc(t("targets_none", lang))}</p></div>'
    body = []
    for cid, target in rows:
        qualifier = _bound_label(target, lang)
        body.append(
            "<tr>"
            f"<td>{chip(cid, target.clause, '', quote=target.sentence)}</td>"
            f'<td class="pa-target"><span class="pa-quantity">{esc(target.text)}</span>'
            + (f'<span class="pa-qualifier">{esc(qualifier)}</span>' if qualifier else "")
            + f'<div class="pa-clause">{highlight(target.clause, [target.text])}</div></td>'
            f'<td class="pa-sentence">{highlight(target.sentence, [target.text])}</td>'
            "</tr>"
        )
    return (
        head
        + '<table class="pa-table"><thead><tr>'
        + f'<th>{esc(t("col_section", lang))}</th><th>{esc(t("col_target", lang))}</th>'
        + f'<th>{esc(t("col_sentence", lang))}</th></tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table></div>"
    )


def render_metrics(metrics: Sequence[Any], columns: Sequence[tuple[str, str]], cite: Any, lang: str) -> str:
    """Targets across documents: a row per metric, a column per document [(plan name, label)] in time order, each
    cell the document's figure as a chip that opens its section with the sentence highlighted; `cite(plan, id)`
    gives the chip's citation ID."""
    if not metrics:
        return f'<div class="pa-metrics"><p class="pa-muted pa-none">{esc(t("metrics_none", lang))}</p></div>'
    head = "".join(f'<th class="pa-doc">{esc(label)}</th>' for _, label in columns)
    rows = []
    for m in metrics:
        cells = []
        for plan, _ in columns:
            c = m.cell(plan)
            cells.append(
                f'<td>{chip(cite(c.plan, c.section_id), c.quote, "", label=c.value, quote=c.quote, cls="pa-cell")}</td>'
                if c
                else '<td class="pa-muted">–</td>'
            )
        rows.append(f'<tr><td class="pa-metric">{esc(m.metric)}</td><td class="pa-unit">{esc(m.unit)}</td>{"".join(cells)}</tr>')
    return (
        f'<div class="pa-metrics"><p class="pa-muted pa-count">{esc(t("metrics_count", lang, n=len(metrics), d=len(columns)))}</p>'
        '<div class="pa-metrics-scroll"><table class="pa-table pa-metrics-table"><thead><tr>'
        f'<th>{esc(t("col_metric", lang))}</th><th>{esc(t("col_unit", lang))}</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div></div>'
    )
