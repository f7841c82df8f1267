"""A Slack client for reply jobs whose posting calls happen at most once per request.

Kept apart from bot.runtime.jobs so that the queue (which every process builds) does not import
slack_sdk's Web API client: the terminal commands never post.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.runtime.jobs import OnceSteps


class OnceClient(WebClient):
    """A WebClient whose posting calls go through `OnceSteps` (other calls unchanged).

    A re-run job skips the calls already made; what it needs from their answers (the posted
    message's ts, the uploaded file's id: the chart is added to that message) is kept with
    the steps and handed back instead of the answer."""

    def __init__(self, steps: OnceSteps, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = steps
        self._counts: Counter[str] = Counter()

    def _once(self, name: str, call: Callable[[], Any], keep: Callable[[Any], Any],
              rebuild: Callable[[str], dict[str, Any]]) -> Any:
        self._counts[name] += 1
        memo = f"{name}#{self._counts[name]}.memo"
        answer = self.steps.run(name, call)
        if answer is not None:
            if keep(answer):
                self.steps.record.mark(memo, str(keep(answer)))
            return answer
        kept = self.steps.record.note(memo)
        return rebuild(kept) if kept else None

    def chat_postMessage(self, **kwargs: Any) -> Any:  # noqa: N802 - slack-sdk's name
        return self._once("chat.postMessage",
                          lambda: super(OnceClient, self).chat_postMessage(**kwargs),
                          lambda answer: answer.get("ts"), lambda ts: {"ok": True, "ts": ts})

    def files_upload_v2(self, **kwargs: Any) -> Any:
        return self._once("files.upload",
                          lambda: super(OnceClient, self).files_upload_v2(**kwargs),
                          lambda answer: (answer.get("file") or {}).get("id"),
                          lambda file_id: {"ok": True, "file": {"id": file_id}})

    def chat_update(self, **kwargs: Any) -> Any:
        return self.steps.run("chat.update",
                              lambda: super(OnceClient, self).chat_update(**kwargs))
