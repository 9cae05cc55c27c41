from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("new/<int:unit_pk>/", views.user_create, name="create"),
    path("<int:pk>/", views.user_edit, name="edit"),
    path("two-factor/<int:unit_pk>/", views.two_factor_policy, name="two_factor_policy"),
    path("oversight/", views.oversight, name="oversight"),
    path("oversight/<int:pk>/end/", views.oversight_end, name="oversight_end"),
]
