from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("targets/<int:pk>/", views.edit_target, name="edit_target"),
]
