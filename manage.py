#!/usr/bin/env python
"""Django's command-line utility for KMS."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kms.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:  # a setting or variable to fix, not a bug to trace
        sys.exit(f"KMS is not configured to start: {error}")
