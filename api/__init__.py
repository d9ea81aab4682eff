"""The read API (v1), API keys, webhooks and feedback intake."""
