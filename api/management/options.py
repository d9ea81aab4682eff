"""What the API's shell commands share: comma lists in, validation errors out."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def comma_list(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def problem_text(error: ValidationError) -> str:
    """`error` as one line naming each field."""
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(m)}" for field, m in error.message_dict.items())
    return " ".join(error.messages)
