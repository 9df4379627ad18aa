from django.urls import path

from rcp import views

app_name = "rcp"

urlpatterns = [
    # /rcp/
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    # /rcp/<pk>/  (a meeting); the actions of a page (POST only) sit below it
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/follow-up/", views.meeting_follow_up, name="follow-up"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/participants/", views.meeting_participants, name="participants"),
    path("<int:pk>/participants/member/", views.participant_add_member, name="participant-add-member"),
    path("<int:pk>/participants/guest/", views.participant_add_guest, name="participant-add-guest"),
    path(
        "<int:pk>/participants/<int:participant_pk>/withdraw/", views.participant_withdraw, name="participant-withdraw"
    ),
    path("<int:pk>/attendance/", views.meeting_attendance, name="attendance"),
    path("<int:pk>/agenda/", views.meeting_agenda, name="agenda"),
    path("<int:pk>/agenda/<int:case_pk>/move/", views.agenda_move, name="agenda-move"),
    path("<int:pk>/agenda/<int:case_pk>/urgent/", views.agenda_urgent, name="agenda-urgent"),
    path("<int:pk>/cases/new/", views.case_create, name="case-create"),
    path("<int:pk>/validate/", views.minutes_validate, name="validate"),
    path("<int:pk>/correct/", views.minutes_correct, name="correct"),
    path("<int:pk>/minutes.pdf", views.minutes_pdf, name="minutes-pdf"),
    path("<int:pk>/medical-annex.pdf", views.annex_pdf, name="annex-pdf"),
    # /rcp/actions/  (the logged-in user's open actions)
    path("actions/", views.my_actions, name="my-actions"),
    # /rcp/cases/<pk>/  (a case on an agenda)
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/deliberation/", views.case_deliberation, name="case-deliberation"),
    path("cases/<int:pk>/options/", views.case_option_add, name="case-option-add"),
    path("cases/<int:pk>/options/<int:option_pk>/withdraw/", views.case_option_withdraw, name="case-option-withdraw"),
    path("cases/<int:pk>/actions/", views.case_action_add, name="case-action-add"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    # /rcp/propose/<pk>/  (pk: a patient; "Present in RCP" from the patient file)
    path("propose/<int:pk>/", views.case_propose, name="propose"),
    # /rcp/actions/<pk>/
    path("actions/<int:pk>/", views.action_close, name="action-close"),
    # stored documents: /rcp/minutes/<pk>.pdf (a version), /rcp/extracts/<pk>.pdf (a patient's part)
    path("minutes/<int:pk>.pdf", views.version_pdf, name="version-pdf"),
    path("extracts/<int:pk>.pdf", views.extract_pdf, name="extract-pdf"),
]
