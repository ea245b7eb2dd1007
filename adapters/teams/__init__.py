"""Microsoft Teams through the Bot Framework (botbuilder CloudAdapter)."""
