"""The API's URLs (mounted at /api/v1/)."""

from . import views  # noqa: F401  (registers the endpoints on the API)
from .base import api

urlpatterns = [*api.urls[0]]
