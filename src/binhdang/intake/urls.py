from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("units/<int:pk>/", views.start, name="start"),
    path("units/<int:pk>/drafts/<uuid:draft>/", views.draft, name="draft"),
]
