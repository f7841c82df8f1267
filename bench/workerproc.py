"""A reply worker as the benchmark runs it: `python -m bench.workerproc ...`.

What `smallcaps worker` runs (bot.worker.run_worker: an RQ SimpleWorker on the reply queue),
wired like bench.botproc: a CSV source, the run's Redis with the run's key prefix, the fake
Slack; RQ logs warnings only. Prints `{"ready": true}` once it takes jobs, then works until
terminated.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from pydantic import SecretStr

from bot.bootstrap import build_deps, build_redis
from bot.runtime.cache import Cache
from bot.runtime.config import Settings
from bot.worker import process_worker


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slack-url", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--redis-url")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    settings = Settings(slack_bot_token=SecretStr("xoxb-bench"), slack_api_url=args.slack_url,
                        smallcaps_data_dir=args.data_dir, smallcaps_state_dir=args.state_dir,
                        redis_url=SecretStr(args.redis_url) if args.redis_url else None)
    deps = build_deps(settings, cache=Cache(build_redis(settings), prefix=args.prefix),
                      use_queue=True)
    worker = process_worker(deps)  # as run_worker prepares it
    print(json.dumps({"ready": True}), flush=True)
    worker.work(logging_level="WARNING")


if __name__ == "__main__":
    main()
