"""A Slack client for reply jobs whose posting calls happen at most once per request.

Kept apart from bot.runtime.jobs so that the queue (which every process builds) does not import
slack_sdk's Web API client: the terminal commands never post.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.runtime.jobs import OnceSteps


class OnceClient(WebClient):
    """A WebClient whose posting calls go through `OnceSteps` (other calls unchanged)."""

    def __init__(self, steps: OnceSteps, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.steps = steps

    def chat_postMessage(self, **kwargs: Any) -> Any:  # noqa: N802 - slack-sdk's name
        return self.steps.run("chat.postMessage",
                              lambda: super(OnceClient, self).chat_postMessage(**kwargs))

    def files_upload_v2(self, **kwargs: Any) -> Any:
        return self.steps.run("files.upload",
                              lambda: super(OnceClient, self).files_upload_v2(**kwargs))

    def chat_update(self, **kwargs: Any) -> Any:
        return self.steps.run("chat.update",
                              lambda: super(OnceClient, self).chat_update(**kwargs))
