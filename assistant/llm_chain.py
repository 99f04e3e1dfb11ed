"""LLM mode, the chain: the prompts, the chat model and the LangChain chain (retriever -> prompt -> ChatOpenAI -> text)."""
from __future__ import annotations

from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Protocol, Sequence

from langchain_core.documents import Document
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from index import Settings

from .followup import message_text
from .records import Answer, Message

if TYPE_CHECKING:
    from langchain_openai import ChatOpenAI

    from index import PlanIndex


class OfflineAssistant(Protocol):
    """What the LLM mode needs of PlanAssistant (it runs inside it): the index, the settings and offline answers."""

    index: "PlanIndex"
    settings: Settings

    def ask(self, question: str, history: Sequence[Message] | None = None, *, plan: str | None = None,
            mode: str | None = None) -> Answer: ...

    def stream(self, question: str, history: Sequence[Message] | None = None, *, plan: str | None = None,
               mode: str | None = None) -> Iterator[tuple[str, Answer | None]]: ...

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"  # installed next to this package as package data


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """The text of prompts/<name>.txt (system, answer or condense)."""
    path = PROMPTS_DIR / f"{name}.txt"
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise FileNotFoundError(f"Prompt file {path} is missing: reinstall plan-assistant.") from None


# --------------------------------------------------------------------------- safety helpers


def neutralize(text: str) -> str:
    """Plan or user text cannot open or close our tags: its angle brackets become full-width ones."""
    return text.replace("<", "＜").replace(">", "＞")


# --------------------------------------------------------------------------- the chain


def chat_model(settings: Settings, *, max_tokens: int | None = None) -> "ChatOpenAI":
    """ChatOpenAI for the configured endpoint. No retries: a down or slow endpoint falls back at once."""
    from langchain_openai import ChatOpenAI

    if not settings.llm_base_url:
        raise ValueError("No LLM endpoint configured: set PLAN_ASSISTANT_LLM_BASE_URL (see README, LLM mode).")
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "local",
        # Local servers need no key, but the OpenAI client insists on one; the placeholder is not a secret.
        api_key=settings.llm_api_key or "no-key",
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0.0,
        seed=0,
        max_tokens=max_tokens or settings.llm_max_tokens,
        streaming=True,
    )


def section_label(doc: Document) -> str:
    return doc.metadata["cite"]


def format_context(docs: Sequence[Document]) -> str:
    """Each section labelled by its citation ID inside <section> tags that the section text cannot forge."""
    blocks = []
    for doc in docs:
        sid = neutralize(section_label(doc)).replace('"', "＂")
        blocks.append(f'<section id="{sid}">\n{neutralize(doc.page_content).strip()}\n</section>')
    return "\n\n".join(blocks)


def format_history(history: Sequence[Message]) -> str:
    lines = []
    for msg in history[-6:]:  # the recent turns carry the topic; older ones only cost prompt tokens
        role = "用户" if msg.get("role") == "user" else "助手"
        content = neutralize(message_text(msg.get("content"))).strip()
        lines.append(f"{role}：{content[:400]}")
    return "\n".join(lines)


def example_turns() -> list[tuple[str, str]]:
    """The worked examples of prompts/example.txt as (user, assistant) turns: small models copy a shown format far
    more reliably than they follow a described one. Blocks: sections, then question / answer pairs."""
    context, *pairs = [b.strip() for b in load_prompt("example").split("\n-----\n")]
    template = load_prompt("answer")
    turns: list[tuple[str, str]] = []
    for question, answer in zip(pairs[::2], pairs[1::2]):
        user = template.replace("{context}", context).replace("{question}", question)
        turns += [("human", user.replace("{", "{{").replace("}", "}}")), ("ai", answer)]
    return turns


def answer_prompt() -> ChatPromptTemplate:
    """System rules, the worked examples, then this question with its sections."""
    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("system")), *example_turns(), ("human", load_prompt("answer"))]
    )


def condense_prompt() -> ChatPromptTemplate:
    return ChatPromptTemplate.from_messages([("human", load_prompt("condense"))])


def build_answer_chain(retriever: Runnable, llm: Runnable) -> Runnable:
    """{"query"} -> {"query", "docs", "context", "question", "answer"}; `.stream()` yields the answer token by token.

    Streaming merges chunks by key, so every step adds new keys and never rewrites one it received.
    """
    generate = answer_prompt() | llm | StrOutputParser()
    return (
        RunnablePassthrough.assign(docs=itemgetter("query") | retriever)
        .assign(context=lambda x: format_context(x["docs"]), question=lambda x: neutralize(x["query"]))
        .assign(answer=generate)
    )


def build_condense_chain(llm: Runnable) -> Runnable:
    """{"turns": [...], "followup"} -> a standalone question (one short generation)."""
    return (
        RunnableLambda(lambda x: {"history": format_history(x["turns"]), "question": neutralize(x["followup"])})
        | condense_prompt()
        | llm
        | StrOutputParser()
    )


def citing_retriever(assistant: OfflineAssistant, plan: str | None = None) -> Runnable:
    """The index's LangChain retriever, each Document's metadata["cite"] set to the ID an answer must cite."""
    index = assistant.index

    def add_cite(docs: list[Document]) -> list[Document]:
        for doc in docs:
            doc.metadata["cite"] = index.citation_id(index.get(doc.metadata["id"], plan=doc.metadata["plan"]))
        return docs

    return index.as_retriever(k=assistant.settings.llm_k, plan=plan) | RunnableLambda(add_cite)
