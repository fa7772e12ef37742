"""Baseline routes, included by config/urls.py only when LYCEUM_BENCH_BASELINE=1."""

from django.urls import path

from bench import baseline

urlpatterns = [
    path("users", baseline.users, name="bench-users"),
    path("me", baseline.me, name="bench-me"),
    path("ping", baseline.ping, name="bench-ping"),
    path("contents", baseline.contents, name="bench-contents"),
    path("enrollments", baseline.enrollments, name="bench-enrollments"),
    path("enroll", baseline.enroll, name="bench-enroll"),
    path("analytics", baseline.analytics, name="bench-analytics"),
    path("published-courses", baseline.published_courses, name="bench-published-courses"),
    path(
        "user-published-courses",
        baseline.user_published_courses,
        name="bench-user-published-courses",
    ),
    path("posts", baseline.posts, name="bench-posts"),
]
