"""The project's own settings plus the benchmark-only floor views (never used in production)."""

from hokenfukushi.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"

# The benchmark-only command generate_synthetic (benchmarks/management/commands).
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]  # noqa: F405
