"""Platform adapters: the only code that speaks a chat platform's language."""
