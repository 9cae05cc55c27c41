from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/open/", views.open_round, name="open"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/missing/", views.missing, name="missing"),
    path("rounds/<int:pk>/close/", views.close_round, name="close"),
    path("rounds/<int:pk>/reopen/", views.reopen_round, name="reopen"),
    path("rounds/<int:pk>/deadline/", views.change_deadline, name="deadline"),
    path("rounds/<int:pk>/word/", views.word_report, name="word"),
    path("rounds/<int:pk>/dhis2/", views.dhis2_page, name="dhis2"),
    path("rounds/<int:pk>/dhis2/start/", views.dhis2_start, name="dhis2_start"),
    path("rounds/<int:pk>/dhis2.<str:fmt>", views.dhis2_export, name="dhis2_export"),
    path("dhis2/<int:pk>/", views.dhis2_exchange, name="dhis2_exchange"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/remind/", views.remind, name="remind"),
]
