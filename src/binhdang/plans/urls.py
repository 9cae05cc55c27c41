from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("units/<int:pk>/new/", views.plan_create, name="plan_create"),
    path("units/<int:pk>/tasks/new/", views.task_create, name="task_create"),
    path("units/<int:pk>/inspections/new/", views.inspection_create, name="inspection_create"),
    path("list/", views.plan_list, name="plans"),
    path("list.xlsx", views.plan_list_xlsx, name="plans_xlsx"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/approve/", views.plan_approve, name="plan_approve"),
    path("<int:pk>/file/", views.plan_file, name="plan_file"),
    path("<int:pk>/attach/", views.plan_attach, name="plan_attach"),
    path("<int:pk>/tasks/new/", views.plan_task_create, name="plan_task_create"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks.xlsx", views.task_list_xlsx, name="tasks_xlsx"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/update/", views.task_update, name="task_update"),
    path("updates/<int:pk>/file/", views.update_file, name="update_file"),
    path("without-plan/", views.missing_plans, name="missing"),
    path("without-plan.xlsx", views.missing_plans_xlsx, name="missing_xlsx"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections.xlsx", views.inspection_list_xlsx, name="inspections_xlsx"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path(
        "inspections/<int:pk>/recommendations/new/",
        views.recommendation_create,
        name="recommendation_create",
    ),
]
