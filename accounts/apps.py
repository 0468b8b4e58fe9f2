from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_role_groups(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    """After migrate: make sure every app's permissions exist, then set the role groups'
    permissions (new models bring new permissions)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    from .services import role_groups_ensure

    role_groups_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "계정·권한·감사"

    def ready(self) -> None:
        from . import schema  # noqa: F401 - registers the OpenAPI auth scheme extensions

        post_migrate.connect(_sync_role_groups, sender=self, dispatch_uid="accounts.sync_role_groups")
