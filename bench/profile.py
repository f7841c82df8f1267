"""Where a reply's time goes: `python -m bench.profile [--out DIR]` (pyinstrument).

Profiles, in this process and thread, what the bot does after the ack for a cold cache, a
warm new command and a repeat: report (market data, analytics, chart, Redis) and delivery to
a local fake Slack. Writes one text and one HTML profile per case.
"""

from __future__ import annotations

import argparse
import tempfile
import uuid
from pathlib import Path

from pydantic import SecretStr
from slack_sdk import WebClient

from bench.harness import flush, redis_for_run
from bench.run import DEFAULT_DATA
from bench.slackproc import TimedFakeSlack
from bot.bootstrap import build_deps
from bot.listeners.slash import error_text
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from handlers.channel_defaults import request_context
from handlers.command import Conversation
from handlers.registry import parse_command
from handlers.replies import answer_report


def main(argv: list[str] | None = None) -> None:
    from pyinstrument import Profiler

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "bench-profile")
    parser.add_argument("--times", type=int, default=10, help="requests per case")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    state = Path(tempfile.mkdtemp(prefix="smallcaps-profile-"))
    client, url = redis_for_run(state)
    prefix = f"smallcaps-bench:{uuid.uuid4().hex[:10]}:"
    with TimedFakeSlack() as fake:
        settings = Settings(slack_bot_token=SecretStr("xoxb-bench"), slack_api_url=fake.base_url,
                            smallcaps_data_dir=args.data_dir, smallcaps_state_dir=state)
        deps = build_deps(settings, cache=Cache(client, prefix=prefix))
        web = WebClient(token="xoxb-bench", base_url=fake.base_url)

        def reply(text: str) -> None:
            asked = Conversation(deps=deps, client=web, channel_id="C1", user_id="U1", text=text,
                                 respond=lambda **_: None, error_text=error_text,
                                 bot_user_id="UBOT")
            answer_report(asked, parse_command(text, request_context(deps)))

        reply("gap 1y")  # imports and first-use caches are not what we are after
        cases = {
            "cold": lambda i: (flush(client, prefix), reply("gap 3y")),
            "warm_new": lambda i: reply(f"gap {700 + i}d"),
            "repeat": lambda i: reply("gap 3y"),
        }
        for name, case in cases.items():
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for i in range(args.times):
                case(i)
            profiler.stop()
            (args.out / f"{name}.txt").write_text(
                profiler.output_text(unicode=True, color=False, show_all=False))
            (args.out / f"{name}.html").write_text(profiler.output_html())
            print(f"{name}: {profiler.last_session.duration / args.times * 1000:.1f} ms "
                  f"per request -> {args.out / (name + '.txt')}")
            fake.clear()
    flush(client, prefix)


if __name__ == "__main__":
    main()
