from django.urls import path

from patients import views

app_name = "patients"

urlpatterns = [
    # /patients/
    path("", views.patient_list, name="list"),
    path("new/", views.patient_create, name="create"),
    # /patients/<pk>/
    path("<int:pk>/", views.patient_detail, name="detail"),
    path("<int:pk>/edit/", views.patient_edit, name="edit"),
    path("<int:pk>/exit/", views.patient_exit, name="exit"),
    # Identity vigilance: status and attributes; merging a duplicate file B into A, and undoing it.
    path("<int:pk>/identity/", views.patient_identity, name="identity"),
    path("<int:pk>/merge/", views.patient_merge_choose, name="merge-choose"),
    path("<int:pk>/merge/<int:other_pk>/", views.patient_merge, name="merge"),
    path("<int:pk>/merges/<int:merge_pk>/undo/", views.patient_merge_undo, name="merge-undo"),
    path("<int:pk>/medical/", views.medical_edit, name="medical-edit"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit-create"),
    path("<int:pk>/visits/<int:visit_pk>/cancel/", views.visit_cancel, name="visit-cancel"),
    path("<int:pk>/assessments/new/", views.assessment_create, name="assessment-create"),
    path("<int:pk>/rights/new/", views.right_create, name="right-create"),
    path("<int:pk>/rights/<int:right_pk>/", views.right_edit, name="right-edit"),
    path("<int:pk>/orientations/new/", views.orientation_create, name="orientation-create"),
]
