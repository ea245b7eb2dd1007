"""The core: settings, neutral events and replies, router, roles, app factory, CLI."""
