"""The URL patterns the project serves, read from the URL configuration itself, so tests
that probe every view of an admin viewset probe one added later too."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver


def served_patterns(
    resolver: URLResolver | None = None, namespace: str = ""
) -> list[tuple[str, URLPattern]]:
    """Every pattern with the namespace it is reversed in."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            found += served_patterns(entry, entry.namespace or namespace)
        else:
            found.append((namespace, entry))
    return found
