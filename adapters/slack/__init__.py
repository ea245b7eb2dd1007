"""Slack: Block Kit rendering and the Web API messenger (events and commands come later)."""
