from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api.v1 import views

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
]
