from django.urls import re_path

from apps.commerce.views import invoice_view

urlpatterns = [
    re_path(
        r"^commerce/invoices/(?P<token>[A-Za-z0-9_:.\-]+?)(?P<suffix>\.pdf)?$",
        invoice_view,
        name="commerce-invoice",
    ),
]
