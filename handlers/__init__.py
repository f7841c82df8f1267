"""The commands: one module per command (grammar, rendering, buttons, spec), the registry that
lists them (handlers/registry.py), and the Slack listeners that answer them (slash, mentions,
actions, csv_button, home), wired to the app by bot/app.py."""
