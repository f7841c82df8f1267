"""`alert` and `digest`: the specs that put them in the registry.

Their grammar is handlers/alert_parsing.py and their answers handlers/alerts.py (rules and
digests are managed, not reports); this module only wires the two into a `Command` each. In
the terminal they run as operator views (bot/alerts_cli.py).
"""

from __future__ import annotations

from analytics.alert_metrics import metric_help
from handlers.alert_parsing import AlertRequest, parse_alert, parse_digest
from handlers.alerts import answer_alert
from handlers.command import Command, Conversation


def answer(conversation: Conversation, request: AlertRequest) -> None:
    """Run an alert or digest request for the asker's channel; reply only to the asker."""
    command = {"channel_id": conversation.channel_id, "user_id": conversation.user_id,
               "text": conversation.text}
    answer_alert(conversation.deps, request, command, conversation.respond,
                 conversation.error_text)


ALERT = Command(
    name="alert",
    usage="alert add METRIC CONDITION VALUE [PAIR] [hysteresis N] [cooldown Nd] "
          "[no-clear-note] [until YYYY-MM-DD] | edit ID RULE | list | remove ID | pause ID | "
          "resume ID",
    summary="Threshold alerts for this channel, checked after each US close. METRIC: "
            f"{metric_help()}; CONDITION: above, below, crosses, crosses up, crosses down. "
            "Hysteresis: re-arm only after moving back by N; `until`: its last day; `edit A3 gap "
            "3y above 25` changes a rule, keeping its id. Or use the "
            "form: \"Alert me on this\" under an answer, or the \"New smallcaps alert\" shortcut.",
    example="alert add gap 3y above 30 hysteresis 2",
    parse=parse_alert,
    answer=answer,
    cli="report",  # the words and options of a report; bot/alerts_cli.py runs it
)
DIGEST = Command(
    name="digest",
    usage="digest daily|weekly|off",
    summary="A scheduled summary in this channel after the US close (daily, or on each week's "
            "last trading day).",
    example="digest weekly",
    parse=parse_digest,
    answer=answer,
    cli="report",  # `smallcaps digest [--as-of DATE]` prints one (bot/alerts_cli.py)
)
