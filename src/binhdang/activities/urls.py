from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", views.unit_activities, name="unit"),
    path("units/<int:pk>/new/", views.activity_create, name="create"),
    path("units/<int:pk>/activities.xlsx", views.export_xlsx, name="export_xlsx"),
    path("units/<int:pk>/import/", views.import_xlsx, name="import"),
    path("template.xlsx", views.template_xlsx, name="template"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/edit/", views.activity_edit, name="edit"),
    path("<int:pk>/delete/", views.activity_delete, name="delete"),
    path("units/<int:pk>/commendations/", views.commendations, name="commendations"),
    path("units/<int:pk>/commendations/new/", views.commendation_create, name="propose"),
    path(
        "units/<int:pk>/commendations.xlsx",
        views.commendations_xlsx,
        name="commendations_xlsx",
    ),
    path("commendations/<int:pk>/", views.commendation_detail, name="commendation"),
    path("commendations/<int:pk>/edit/", views.commendation_edit, name="commendation_edit"),
    path(
        "commendations/<int:pk>/approve/", views.commendation_approve, name="commendation_approve"
    ),
    path("commendations/<int:pk>/reject/", views.commendation_reject, name="commendation_reject"),
    path(
        "commendations/<int:pk>/withdraw/",
        views.commendation_withdraw,
        name="commendation_withdraw",
    ),
    path("calendar/", views.month_calendar, name="calendar"),
    path("calendar/feed/", views.feed_page, name="feed_page"),
    path("calendar/feed/new/", views.feed_regenerate, name="feed_regenerate"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
