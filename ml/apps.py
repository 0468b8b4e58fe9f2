from django.apps import AppConfig


class MlConfig(AppConfig):
    name = "ml"
    verbose_name = "머신러닝 모델"
