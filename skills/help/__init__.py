"""`help`: what this person can do here, by role; and the welcome for newcomers."""

from skills.help.skill import setup

__all__ = ["setup"]
