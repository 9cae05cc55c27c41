from django.urls import path

from . import views

app_name = "orgunits"
urlpatterns = [
    path("units/", views.home, name="home"),
    path("units/search/", views.search, name="search"),
    path("units/<int:pk>/", views.detail, name="detail"),
    path("units/<int:pk>/history/", views.history, name="history"),
    path("units/<int:pk>/departments/add/", views.add_departments, name="add_departments"),
    path("units/<int:pk>/edit/", views.edit_department, name="edit_department"),
]
