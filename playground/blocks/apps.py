from django.apps import AppConfig


class BlocksConfig(AppConfig):
    name = "playground.blocks"
    label = "blocks"
    default_auto_field = "django.db.models.BigAutoField"
