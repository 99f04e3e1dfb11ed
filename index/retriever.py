"""The index as a LangChain retriever: Documents carry the section ID so chains can cite it."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class PlanRetriever(BaseRetriever):
    """Wraps `PlanIndex.search`; each Document's metadata has id, title, path, plan and score."""

    index: Any
    k: int = 5
    plan: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [
            Document(
                page_content=hit.section.text,
                metadata={
                    "id": hit.section.id,
                    "title": hit.section.title,
                    "path": list(hit.section.path),
                    "plan": hit.section.plan,
                    "score": hit.score,
                },
            )
            for hit in self.index.search(query, k=self.k, plan=self.plan)
        ]
