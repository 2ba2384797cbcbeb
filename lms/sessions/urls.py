from django.urls import path

from lms.sessions import views

app_name = "sessions"

urlpatterns = [
    path("", views.session_list, name="list"),
    path("approvals/", views.approvals, name="approvals"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/signup/", views.session_signup, name="signup"),
    path("<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("<int:pk>/accept/", views.session_accept, name="accept"),
    path("<int:pk>/survey/", views.session_survey, name="survey"),
    path("<int:pk>/calendar.ics", views.session_ics, name="ics"),
    path("<int:pk>/check-in/", views.session_check_in, name="check-in"),
    path("<int:pk>/feedback/", views.session_feedback, name="feedback"),
    path("path-item/<int:item_pk>/", views.path_item_redirect, name="path-item"),
]
