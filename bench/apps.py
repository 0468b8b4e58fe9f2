from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmark commands of ``make bench``: above every layer, so they may import any app."""

    name = "bench"
    verbose_name = "벤치마크"
