"""The bot as the benchmark runs it: `python -m bench.botproc --mode ours|obvious ...`.

`ours` is the production wiring (`build_deps` -> `create_app` -> the waitress server of
`smallcaps serve`) with a CSV source, the run's Redis and the fake Slack, replies in the
process's own pool. `queue` is `serve` as deployed since the reply queue: acked replies go on
the RQ queue, answered by `--web-workers` worker threads of its own (serve's default is 4) and
by `python -m bench.workerproc` processes (`smallcaps worker`). `obvious` is the
baseline: the same Bolt app, parser, Block Kit and Slack delivery, but one listener that acks
and then computes in Bolt's worker thread through `ObviousReports` (no cache, CSV + pyplot on
every request). Prints `{"port": N}` once listening, then serves until terminated.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.app import create_app, create_client
from bot.bootstrap import build_deps, build_redis
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.runtime.workers import freeze_startup_objects, limit_malloc_arenas
from bot.serve import http_server


def obvious_app(deps: Any, data_dir: Path) -> App:
    """The baseline Bolt app: ack, then compute and post in the listener thread."""
    from bench.obvious import ObviousReports
    from bot.listeners.slash import error_text
    from bot.slack.slack_update import post_reply
    from handlers.channel_defaults import request_context
    from handlers.help import HelpRequest
    from handlers.registry import parse_command
    from handlers.replies import channel_reply
    from handlers.words import CommandError

    reports = ObviousReports(data_dir)
    secret = deps.settings.slack_signing_secret.get_secret_value()
    # Under a burst its listeners start after Slack's 3 s and Bolt warns about each (with a
    # code suggestion) on its own logger; the table counts those requests instead.
    quiet = logging.getLogger("bench.obvious.bolt")
    quiet.setLevel(logging.ERROR)
    app = App(client=create_client(deps), signing_secret=secret, logger=quiet)

    @app.command("/smallcaps")
    def on_smallcaps(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond,
                     context: dict[str, Any]) -> None:
        try:
            request = parse_command(command.get("text", ""), request_context(deps))
        except CommandError as exc:
            ack(response_type="ephemeral", text=error_text(exc.message, exc.example))
            return
        if isinstance(request, HelpRequest):
            ack(response_type="ephemeral", text="help")
            return
        ack()
        try:
            report = reports.run(request)
        except Exception as exc:  # noqa: BLE001 - the benchmark counts these as failures
            respond(response_type="ephemeral", text=error_text(str(exc)))
            return
        post_reply(client, respond, command["channel_id"], channel_reply(report),
                   context.get("bot_user_id"))

    return app


def main(argv: list[str] | None = None) -> None:
    limit_malloc_arenas()  # first, as `smallcaps serve` does
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("ours", "queue", "obvious"), required=True)
    parser.add_argument("--web-workers", type=int, default=0,
                        help="queue mode: reply worker threads in this process")
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--redis-url")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = Settings(slack_bot_token=SecretStr("xoxb-bench"),
                        slack_signing_secret=SecretStr(args.secret),
                        slack_api_url=args.slack_url, smallcaps_data_dir=args.data_dir,
                        smallcaps_state_dir=args.state_dir,
                        redis_url=SecretStr(args.redis_url) if args.redis_url else None)
    deps = build_deps(settings, cache=Cache(build_redis(settings), prefix=args.prefix),
                      use_queue=args.mode == "queue")
    if args.mode in ("ours", "queue"):
        app = create_app(deps)
        if args.mode == "queue" and args.web_workers:
            from bot.worker import WorkerThreads

            WorkerThreads(deps, args.web_workers).start()
    else:
        from bench.obvious import warm_up

        warm_up()
        app = obvious_app(deps, args.data_dir)
    server = http_server(app, "127.0.0.1", 0)
    freeze_startup_objects()  # as `smallcaps serve` does
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # bursts queue by design
    print(json.dumps({"port": server.effective_port}), flush=True)
    server.run()


if __name__ == "__main__":
    main()
