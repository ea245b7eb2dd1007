"""Slack: bolt over HTTP or Socket Mode, Block Kit, the Web API messenger, the directory."""
