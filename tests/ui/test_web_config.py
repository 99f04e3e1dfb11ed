"""How the chat is served: login off localhost, no share link, no tracebacks, one bounded queue for all answers."""
from __future__ import annotations

import pytest

from ui.app import QUEUE_CONCURRENCY, build_app
from ui.startup import auth_for, launch_options
from ui.web import QUEUE_MAX_SIZE


def test_localhost_needs_no_login_and_any_other_address_does(settings):
    assert auth_for(settings.with_(host="127.0.0.1")) is None
    with pytest.raises(ValueError, match="PLAN_ASSISTANT_PASSWORD"):
        auth_for(settings.with_(host="0.0.0.0"))
    assert auth_for(settings.with_(host="0.0.0.0", username="u", password="p")) == [("u", "p")]


def test_launch_never_shares_and_never_shows_tracebacks(settings):
    options = launch_options(settings.with_(host="127.0.0.1", port=7999))
    assert options["share"] is False and options["show_error"] is False
    assert (options["server_name"], options["server_port"]) == ("127.0.0.1", 7999)


@pytest.mark.slow
def test_serve_refuses_a_network_address_without_a_password(run_cli):
    out = run_cli("serve", "--host", "0.0.0.0", "--port", "1", env={"PLAN_ASSISTANT_PASSWORD": ""}, timeout=120)
    assert out.returncode == 2
    assert "PLAN_ASSISTANT_USERNAME" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_every_way_of_asking_shares_one_bounded_queue(assistant):
    app = build_app(assistant)
    app.queue(default_concurrency_limit=QUEUE_CONCURRENCY, max_size=QUEUE_MAX_SIZE)
    answering = [fn for fn in app.fns.values() if getattr(fn.fn, "__name__", "") in ("respond", "api_ask")]
    assert len(answering) >= 4  # Enter, Send, an example, the API
    assert {fn.concurrency_id for fn in answering} == {"answer"}
    assert {fn.concurrency_limit for fn in answering} == {QUEUE_CONCURRENCY} and QUEUE_CONCURRENCY >= 2
    assert 0 < QUEUE_MAX_SIZE < 1000
    public = {fn.api_name for fn in app.fns.values() if fn.api_visibility == "public"}
    assert public == {"ask"}, "only the answer endpoint is on the API; the page's own events stay private"
