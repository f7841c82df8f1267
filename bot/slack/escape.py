"""User text echoed into a Slack post, as text and never as markup.

Slack reads `<...>` in message text as markup: `<!here>` and `<!channel>` notify everyone,
`<@U1>` mentions, `<https://x|label>` links. Text a user typed (a board label, a channel
default, a scheduled command) is unescaped on the way in (handlers/normalise.py), so it must
be escaped again wherever a post shows it: Slack's "Escaping text" rule replaces only `&`,
`<` and `>` with their HTML entities, which Slack shows as the characters themselves (also
inside code blocks).
"""

from __future__ import annotations


def escape(text: str) -> str:
    """`text` with `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (Slack's escaping rule)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
