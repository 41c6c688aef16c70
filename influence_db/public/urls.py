from __future__ import annotations

from django.urls import path

from influence_db.public import views

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claims"),
    path("claims/<slug:key>/", views.claim_detail, name="claim"),
    path("actors/", views.actor_list, name="actors"),
    path("actors/network/", views.actor_network, name="network"),
    path("actors/<slug:key>/", views.actor_detail, name="actor"),
    path("events/", views.event_list, name="events"),
    path("events/<slug:key>/", views.event_detail, name="event"),
    path("sources/", views.source_list, name="sources"),
    path("sources/<slug:key>/", views.source_detail, name="source"),
    path("assumptions/", views.assumption_list, name="assumptions"),
    path("assumptions/<str:code>/", views.assumption_detail, name="assumption"),
    path("matrix/", views.evidence_matrix, name="matrix"),
]
