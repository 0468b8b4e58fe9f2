from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "공통·작업"

    def ready(self) -> None:
        from django.urls import register_converter

        from .converters import IdConverter
        from .logging import install_request_id_record_factory

        install_request_id_record_factory()
        register_converter(IdConverter, "id")
