"""The knowledge team's cockpit in the Wagtail admin: what readers asked and did not find,
which answers they found unhelpful, what is going stale, and how publishing flows."""
