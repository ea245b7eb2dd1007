"""The home surface (Slack's App Home tab): what is waiting for the person, and quick actions."""

from skills.home.skill import setup

__all__ = ["setup"]
