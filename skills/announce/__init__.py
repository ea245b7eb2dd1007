"""Announcements: HR and leaders speak to staff, and see who was reached and who read it."""
