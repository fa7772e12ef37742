from django.urls import path

from apps.catalog.views import download

urlpatterns = [path("files/<str:token>", download, name="catalog-download")]
