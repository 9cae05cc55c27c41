from django.urls import path

from . import views

app_name = "workboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("home/at-risk/", views.at_risk, name="at_risk"),
]
