from django.urls import path

from . import views

app_name = "indicators"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("mine/", views.unit_home, name="mine"),
    path("targets/<int:pk>/", views.edit_target, name="edit_target"),
    path("units/<int:pk>/", views.overview, name="overview"),
    path("units/<int:pk>/enter/", views.enter, name="enter"),
    path("units/<int:pk>/forecast/", views.forecast, name="forecast"),
    path("units/<int:pk>/targets/", views.unit_targets, name="unit_targets"),
    path(
        "units/<int:pk>/targets/<int:indicator_pk>/<int:year>/",
        views.own_target,
        name="own_target",
    ),
    path("units/<int:pk>/local/new/", views.local_indicator, name="local_new"),
    path("units/<int:pk>/local/<int:indicator_pk>/", views.local_indicator, name="local_edit"),
    path("units/<int:pk>/indicators/<int:indicator_pk>/", views.ranking, name="ranking"),
    path("units/<int:pk>/export/", views.analyst_export, name="analyst_export"),
    path("units/<int:pk>/dhis2.<str:fmt>", views.dhis2_export, name="dhis2_export"),
    path("units/<int:pk>/dhis2/import/", views.dhis2_import, name="dhis2_import"),
    path("units/<int:pk>/excel/template.xlsx", views.excel_template, name="excel_template"),
    path("units/<int:pk>/excel/import/", views.excel_import, name="excel_import"),
]
