from django.urls import path

from . import views

app_name = "committees"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/<int:pk>/", views.coverage, name="coverage"),
    path("units/<int:pk>/committee/", views.unit_committee, name="unit"),
    path("units/<int:pk>/committee/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/reconstitute/", views.reconstitute, name="reconstitute"),
    path("<int:pk>/import/", views.import_members, name="import"),
    path("<int:pk>/template.xlsx", views.template_xlsx, name="template"),
    path("<int:pk>/members.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/members.docx", views.export_docx, name="export_docx"),
    path("<int:pk>/handover/", views.handover, name="handover"),
    path("<int:pk>/handover.docx", views.handover_docx, name="handover_docx"),
    path("members/<int:pk>/edit/", views.edit_member, name="edit_member"),
    path("decisions/<int:pk>/complete/", views.complete_decision, name="complete_decision"),
    path("decisions/<int:pk>/file/", views.decision_file, name="decision_file"),
    path("decisions/<int:pk>/attach/", views.attach_file, name="attach_file"),
]
