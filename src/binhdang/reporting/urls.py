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
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/remind/", views.remind, name="remind"),
]
