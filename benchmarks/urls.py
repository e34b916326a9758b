from django.urls import path

from benchmarks import floor
from hokenfukushi.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("_bench/floor", floor.floor, name="bench_floor"),
    path("_bench/copy-served", floor.copy_served, name="bench_copy_served"),
    path("_bench/signed-in", floor.signed_in, name="bench_signed_in"),
    *project_urlpatterns,
]
