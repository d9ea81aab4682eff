"""v1 endpoints. Paths take no trailing slash; anything else under /api/ is a JSON 404."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.v1 import views

urlpatterns = [
    path("", views.ApiRoot.as_view(), name="root"),
    path("health", views.Health.as_view(), name="health"),
    path("articles", views.ArticleList.as_view(), name="articles"),
    path("articles/<str:key>", views.ArticleDetail.as_view(), name="article"),
    path("search", views.Search.as_view(), name="search"),
    path("suggest", views.Suggest.as_view(), name="suggest"),
    path("answer", views.AnswerView.as_view(), name="answer"),
    path("changes", views.ChangeFeed.as_view(), name="changes"),
    path("branches", views.BranchTreeView.as_view(), name="branches"),
    path("categories", views.CategoryTreeView.as_view(), name="categories"),
    path("products", views.ProductList.as_view(), name="products"),
    path("feedback", views.FeedbackCreate.as_view(), name="feedback"),
    path("events", views.ResultEventCreate.as_view(), name="events"),
    path(
        "schema",
        views.takes_no_parameters(SpectacularAPIView.as_view(api_version="v1")),
        name="schema",
    ),
    path(
        "docs",
        views.takes_no_parameters(SpectacularSwaggerView.as_view(url_name="api:v1:schema")),
        name="docs",
    ),
]
