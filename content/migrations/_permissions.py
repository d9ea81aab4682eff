"""Shared by data migrations: make sure every model's Permission rows exist.

Django creates them only after all migrations ran (post_migrate); data migrations that
grant permissions to groups need them now.
"""

from django.contrib.auth.management import create_permissions


def ensure_permissions(apps) -> None:
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
