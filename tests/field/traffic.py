"""Slash commands sent to a `serve` during a fault, and what became of each: the figures
(acked, answered, lost, duplicated, 5xx) the field suite reports per fault."""

from __future__ import annotations

from typing import Any

from tests.field.harness import payload, signed_post, wait_until


class Traffic:
    """Slash commands sent to a `serve`, each from its own channel, and what became of them:
    acked (HTTP 200), answered (a post in its channel or a POST to its response_url),
    duplicated (more than one post in its channel), refused with a 5xx."""

    def __init__(self, fake: Any, port: int) -> None:
        self.fake = fake
        self.port = port
        self.sent: dict[str, int] = {}  # channel -> HTTP status (0: no answer)
        self.in_ack: set[str] = set()  # channels whose command was answered in the ack

    def send(self, text: str, count: int = 1, tag: str = "c") -> list[int]:
        """Send `count` copies of `/smallcaps text`; their HTTP statuses."""
        statuses = []
        for _ in range(count):
            channel = f"C{tag.upper()}{len(self.sent)}"
            body = payload("slash_command.txt", text=text, channel=channel,
                           response_url=self.fake.response_url(channel))
            try:
                status, text = signed_post(self.port, *body)
            except OSError:
                status, text = 0, ""
            if status == 200 and text.strip():
                self.in_ack.add(channel)
            self.sent[channel] = status
            statuses.append(status)
        return statuses

    def posts(self, channel: str) -> int:
        """Messages posted in `channel` (a report's reply: two would be a duplicate)."""
        return sum(1 for c in self.fake.calls("chat.postMessage")
                   if c.params.get("channel") == channel)

    def answered(self, channel: str) -> bool:
        """An answer in the ack, a post in `channel`, or a POST to its response_url."""
        return channel in self.in_ack or self.posts(channel) > 0 or any(
            c.path.endswith(f"/{channel}") for c in self.fake.calls("response_url"))

    def acked(self) -> list[str]:
        return [c for c, status in self.sent.items() if status == 200]

    def unanswered(self) -> list[str]:
        return [c for c in self.acked() if not self.answered(c)]

    def wait_answered(self, timeout: float) -> None:
        """Until every acked command has an answer (AssertionError naming the rest)."""
        try:
            wait_until(lambda: not self.unanswered(), timeout, "every acked command's answer",
                       every=0.5)
        except AssertionError:
            raise AssertionError(f"unanswered: {self.unanswered()}; {self.figures()}") from None

    def figures(self) -> dict[str, int]:
        """acked / answered / lost / duplicated / 5xx counts (lost: acked, never answered)."""
        acked = self.acked()
        return {"sent": len(self.sent), "acked": len(acked),
                "answered": sum(1 for c in acked if self.answered(c)),
                "lost": len(self.unanswered()),
                "duplicated": sum(1 for c in acked if self.posts(c) > 1),
                "5xx": sum(1 for s in self.sent.values() if s >= 500)}
