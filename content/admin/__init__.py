"""The editors' admin, split by concept; content/wagtail_hooks.py registers it."""
