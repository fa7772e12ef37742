"""The app's routes plus the benchmark baseline, as `make bench` serves them."""

from django.urls import include, path

from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [*app_urlpatterns, path("bench/", include("bench.urls"))]
