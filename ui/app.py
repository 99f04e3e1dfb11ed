"""build_app: the chat page's Blocks layout, its CSS and browser script, and the wiring of its events to WebChat."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import gradio as gr


from .chat import MAX_QUESTION_CHARS, WebChat
from .i18n import LANGUAGES, normalize_lang, t
from .render import render_source_hint

if TYPE_CHECKING:
    from assistant import PlanAssistant

__all__ = ["QUEUE_CONCURRENCY", "build_app"]

QUEUE_CONCURRENCY = 2  # answers computed at once per event; the machine has 2 cores

# One delegated listener for the whole page: chips anywhere (answers, outline, targets, source panel) open the
# source panel through this component's trigger; copy buttons copy their value. It is registered once per page.
_JS_ON_LOAD = r"""
window.__paTrigger = trigger;
if (!window.__paListening) {
  window.__paListening = true;
  const fallbackCopy = (text) => {
    const ta = document.createElement('textarea');
    ta.value = text; ta.setAttribute('readonly', ''); ta.style.position = 'fixed'; ta.style.opacity = '0';
    document.body.appendChild(ta); ta.select();
    let ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove(); return ok;
  };
  const copied = (btn) => { btn.classList.add('pa-copied'); setTimeout(() => btn.classList.remove('pa-copied'), 1500); };
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    const copy = target.closest('button.pa-copy');
    if (copy) {
      event.preventDefault(); event.stopPropagation();
      const text = copy.value || '';
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(() => copied(copy), () => { if (fallbackCopy(text)) copied(copy); });
      } else if (fallbackCopy(text)) { copied(copy); }
      return;
    }
    const chip = target.closest('button.pa-chip');
    if (chip && chip.value) {
      event.preventDefault(); event.stopPropagation();
      document.querySelectorAll('button.pa-chip.pa-active').forEach((b) => b.classList.remove('pa-active'));
      chip.classList.add('pa-active');
      window.__paTrigger('click', {sid: chip.value, ref: chip.name || '', quote: chip.dataset.quote || ''});
    }
  }, true);
}
watch('value', () => {
  const box = element.querySelector('.pa-source-text');
  const mark = element.querySelector('mark.pa-hl');
  if (box && mark) { box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 24); }
});
"""

_CSS = """
<style>
/* doubled classes outrank Gradio's own button rules (.gradio-container-x button …) */
button.pa-chip.pa-chip { display: inline-block; white-space: nowrap; margin: 2px 3px; padding: 0 8px; border-radius: 10px; cursor: pointer;
  border: 1px solid var(--color-accent, #f97316); background: var(--color-accent-soft, #fff7ed);
  color: var(--body-text-color, #111); font-size: 0.85em; line-height: 1.6; font-family: inherit; }
button.pa-chip.pa-chip:hover, button.pa-chip.pa-chip.pa-active { background: var(--color-accent, #f97316); color: #fff; }
button.pa-chip.pa-chip.pa-node { border-color: transparent; background: transparent; border-radius: 4px; text-align: left;
  font-size: 0.95em; padding: 1px 4px; }
button.pa-chip.pa-chip.pa-node:hover, button.pa-chip.pa-chip.pa-node.pa-active { background: var(--color-accent-soft, #fff7ed); color: inherit; }
.pa-node-id { font-weight: 600; color: var(--color-accent, #c2410c); margin-right: 4px; }
.pa-answer .pa-text { line-height: 1.7; }
.pa-searched, .pa-note, .pa-muted, .pa-mode, .pa-count { color: var(--body-text-color-subdued, #6b7280); font-size: 0.85em; }
.pa-searched { margin-bottom: 4px; font-style: italic; }
.pa-sources, .pa-related { margin-top: 6px; font-size: 0.9em; }
.pa-cite { display: inline-block; margin-right: 6px; }
.pa-cite-title { color: var(--body-text-color-subdued, #6b7280); font-size: 0.9em; }
.pa-label { font-weight: 600; margin-right: 4px; font-size: 0.9em; }
.pa-refusal { border-left: 3px solid #eab308; padding-left: 8px; }
.pa-error { border-left: 3px solid #dc2626; padding-left: 8px; }
.pa-tools { margin-top: 6px; display: flex; gap: 8px; align-items: center; }
button.pa-copy.pa-copy { font-size: 0.8em; padding: 0 8px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--border-color-primary, #d1d5db); background: transparent; color: inherit; }
.pa-copy.pa-copied::after { content: " ✓"; }
.pa-source { padding: 4px 2px; }
.pa-crumbs { color: var(--body-text-color-subdued, #6b7280); font-size: 0.85em; margin-bottom: 6px; }
.pa-source-head { margin-bottom: 8px; }
.pa-id { font-weight: 700; color: var(--color-accent, #c2410c); margin-right: 8px; }
.pa-title { font-weight: 600; font-size: 1.05em; }
.pa-source-text { line-height: 1.8; max-height: 58vh; overflow-y: auto; white-space: normal; }
.pa-hl { background: #fde68a; color: #111; padding: 1px 0; border-radius: 2px; }
.pa-nav { margin-top: 10px; font-size: 0.9em; }
.pa-plan-title { font-weight: 600; margin: 6px 0; }
.pa-tree, .pa-tree ul { list-style: none; padding-left: 14px; margin: 0; }
.pa-tree summary { cursor: pointer; }
.pa-tree details > summary { list-style-position: outside; }
.pa-leaf { margin-left: 14px; }
.pa-table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
.pa-table th, .pa-table td { border-bottom: 1px solid var(--border-color-primary, #e5e7eb); padding: 4px 6px;
  vertical-align: top; text-align: left; }
.pa-quantity { font-weight: 700; margin-right: 6px; }
.pa-qualifier { font-size: 0.8em; color: var(--body-text-color-subdued, #6b7280); }
.pa-clause { font-size: 0.9em; }
.pa-sentence { color: var(--body-text-color, #374151); opacity: 0.8; }
.pa-header { padding: 4px 0; }
.pa-metrics-scroll { overflow-x: auto; }
.pa-metrics-table td.pa-metric { font-weight: 600; }
.pa-metrics-table td.pa-unit, .pa-metrics-table th.pa-doc { white-space: nowrap; }
#pa-source-panel { position: sticky; top: 8px; }
</style>
"""


def _mode_choices(pa: PlanAssistant, lang: str) -> list[tuple[str, str]]:
    labels = {"offline": t("mode_offline", lang), "llm": t("mode_llm", lang)}
    return [(labels.get(m, m), m) for m in pa.modes]


def build_app(pa: PlanAssistant, lang: str | None = None, ready: threading.Event | None = None) -> gr.Blocks:
    """The chat page over `pa`; `lang` ("zh"/"en") defaults to `pa.settings.ui_language`; questions wait for
    `ready` (a warm-up) when given."""
    lang = normalize_lang(lang or getattr(pa.settings, "ui_language", "zh"))
    web = WebChat(pa, lang, ready)
    plan_choices = [(t("all_plans", lang), "")] + [(p.title, p.name) for p in web.plans]
    modes = _mode_choices(pa, lang)

    with gr.Blocks(title=t("app_title", lang), fill_width=True) as app:
        turns = gr.State([])  # plain {"role", "content"} turns for PlanAssistant
        answers = gr.State([])  # the Answer of each assistant turn, for the quotes behind its chips
        current = gr.State({})  # what the source panel shows: {"sid", "quote"}

        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=320):
                header = gr.HTML(web.header_html(lang), elem_id="pa-header")
            with gr.Column(scale=2, min_width=300), gr.Row():
                lang_radio = gr.Radio(
                    [(name, code) for code, name in LANGUAGES.items()], value=lang, label=t("language", lang),
                    elem_id="pa-lang", min_width=160,
                )
                plan_dd = gr.Dropdown(
                    plan_choices, value="", label=t("plan", lang), visible=web.multi, elem_id="pa-plan",
                    interactive=True, min_width=180,
                )
                mode_radio = gr.Radio(
                    modes, value=pa.modes[0], label=t("mode", lang), visible=len(pa.modes) > 1, elem_id="pa-mode",
                    min_width=200,
                )

        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                with gr.Tabs(elem_id="pa-tabs"):
                    with gr.Tab(t("tab_chat", lang), id="chat", elem_id="pa-tab-chat") as tab_chat:
                        chatbot = gr.Chatbot(
                            label=t("chat", lang),
                            show_label=False,
                            placeholder=t("chat_placeholder", lang),
                            height=520,
                            latex_delimiters=[],
                            buttons=[],
                            feedback_options=None,
                            allow_tags=False,
                            sanitize_html=True,
                            elem_id="pa-chat",
                        )
                        with gr.Row():
                            msg = gr.Textbox(
                                label=t("question", lang), placeholder=t("question_placeholder", lang),
                                show_label=False, lines=1, max_lines=4, scale=8, autofocus=True,
                                max_length=MAX_QUESTION_CHARS, elem_id="pa-input",
                            )
                            send = gr.Button(t("send", lang), variant="primary", scale=1, min_width=80, elem_id="pa-send")
                        examples = gr.Dataset(
                            components=[gr.Textbox(visible=False)],
                            samples=[[q] for q in web.examples],
                            label=t("examples", lang),
                            elem_id="pa-examples",
                        )
                        clear = gr.Button(t("clear", lang), size="sm", variant="secondary", elem_id="pa-clear")
                    with gr.Tab(t("tab_outline", lang), id="outline", elem_id="pa-tab-outline") as tab_outline:
                        outline = gr.HTML(web.outline_html("", lang), elem_id="pa-outline", js_on_load=None, apply_default_css=False)
                    with gr.Tab(t("tab_targets", lang), id="targets", elem_id="pa-tab-targets") as tab_targets:
                        search = gr.Textbox(
                            label=t("targets_search", lang), placeholder=t("targets_placeholder", lang),
                            elem_id="pa-target-search",
                        )
                        shows_metrics = bool(web.periods)
                        metrics = gr.HTML(
                            web.metrics_html("", "", lang), elem_id="pa-metrics", visible=shows_metrics,
                            js_on_load=None, apply_default_css=False,
                        )
                        first_chart = web.metrics_plot("", lang)
                        chart = gr.Plot(
                            first_chart, label=t("metrics_chart", lang), elem_id="pa-metrics-chart",
                            visible=first_chart is not None,
                        )
                        targets = gr.HTML(web.targets_html("", "", lang), elem_id="pa-targets", js_on_load=None, apply_default_css=False)
            with gr.Column(scale=2, min_width=320):
                source = gr.HTML(
                    render_source_hint(lang),
                    label=t("source_panel", lang),
                    show_label=True,
                    elem_id="pa-source-panel",
                    js_on_load=_JS_ON_LOAD,
                    apply_default_css=False,
                    head=_CSS,
                    container=True,
                    padding=True,
                )

        chat_io = dict(
            inputs=[msg, chatbot, turns, answers, plan_dd, mode_radio, lang_radio],
            outputs=[chatbot, msg, turns, answers],
            api_visibility="private",
            # Every way of asking (Enter, Send, an example, the API) shares one limit: answers use the CPU.
            concurrency_limit=QUEUE_CONCURRENCY,
            concurrency_id="answer",
        )
        msg.submit(web.respond, **chat_io)
        send.click(web.respond, **chat_io)
        examples.click(lambda sample: sample[0] if sample else "", examples, msg, api_visibility="private").then(
            web.respond, **chat_io
        )

        def reset(lang_value: str) -> tuple:
            return [], [], [], {}, render_source_hint(normalize_lang(lang_value, lang)), ""

        clear.click(reset, [lang_radio], [chatbot, turns, answers, current, source, msg], api_visibility="private")
        chatbot.clear(reset, [lang_radio], [chatbot, turns, answers, current, source, msg], api_visibility="private")

        source.click(
            web.show_source, [answers, lang_radio], [source, current], api_visibility="private", show_progress="hidden",
            queue=False,
        )
        def on_search(query: str, plan: str, lang_value: str) -> tuple[str, str]:
            lang_value = normalize_lang(lang_value, lang)
            return web.targets_html(query, plan, lang_value), web.metrics_html(query, plan, lang_value)

        search.change(
            on_search, [search, plan_dd, lang_radio], [targets, metrics], api_visibility="private", show_progress="hidden",
        )

        def on_plan(plan: str, query: str, lang_value: str) -> tuple:
            lang_value = normalize_lang(lang_value, lang)
            plot = web.metrics_plot(plan, lang_value)
            return (
                web.outline_html(plan, lang_value),
                web.targets_html(query, plan, lang_value),
                gr.update(value=web.metrics_html(query, plan, lang_value), visible=bool(web.periods) and not plan),
                gr.update(value=plot, visible=plot is not None),
            )

        plan_dd.change(on_plan, [plan_dd, search, lang_radio], [outline, targets, metrics, chart], api_visibility="private")

        def relabel(lang_value: str, plan: str, query: str, shown: dict) -> tuple:
            code = normalize_lang(lang_value, lang)
            return (
                gr.update(label=t("language", code)),
                web.header_html(code),
                gr.update(label=t("plan", code), choices=[(t("all_plans", code), "")] + [(p.title, p.name) for p in web.plans]),
                gr.update(label=t("mode", code), choices=_mode_choices(pa, code)),
                gr.Tab(label=t("tab_chat", code)),
                gr.Tab(label=t("tab_outline", code)),
                gr.Tab(label=t("tab_targets", code)),
                gr.update(label=t("chat", code), placeholder=t("chat_placeholder", code)),
                gr.update(label=t("question", code), placeholder=t("question_placeholder", code)),
                gr.update(value=t("send", code)),
                gr.update(label=t("examples", code)),
                gr.update(value=t("clear", code)),
                web.outline_html(plan, code),
                gr.update(label=t("targets_search", code), placeholder=t("targets_placeholder", code)),
                web.targets_html(query, plan, code),
                gr.update(value=web.source_html(shown, code), label=t("source_panel", code)),
                web.metrics_html(query, plan, code),
                gr.update(label=t("metrics_chart", code)),
            )

        lang_radio.change(
            relabel,
            [lang_radio, plan_dd, search, current],
            [lang_radio, header, plan_dd, mode_radio, tab_chat, tab_outline, tab_targets, chatbot, msg, send, examples,
             clear, outline, search, targets, source, metrics, chart],
            api_visibility="private",
            show_progress="hidden",
        )

        def from_query(request: gr.Request) -> Any:
            """`?lang=en` in the address picks the labels' language."""
            wanted = request.query_params.get("lang") if request else None
            return normalize_lang(wanted, lang) if wanted else gr.skip()

        app.load(from_query, None, lang_radio, api_visibility="private", show_progress="hidden")

        gr.api(web.api_ask, api_name="ask", concurrency_limit=QUEUE_CONCURRENCY, concurrency_id="answer")
    return app
