"""What a school teaches: courses, labels, lessons, content items, assets, web packages,
quizzes, question banks and questions, live training sessions, paths, bundles, course
series and publications on domains.

A package split by subdomain; every model is importable from ``apps.catalog.models``.
"""

from apps.catalog.models.content import Asset, ImportState, WebPackage
from apps.catalog.models.courses import (
    ContentItem,
    ContentItemType,
    Course,
    Label,
    Lesson,
    LessonType,
)
from apps.catalog.models.live import (
    IltInstructor,
    IltMultiSessionEvent,
    IltSession,
    SessionProvider,
)
from apps.catalog.models.paths import Bundle, Path, PathItem
from apps.catalog.models.publishing import CourseSeries, PublishedCourse, PublishedPath
from apps.catalog.models.quizzes import Answer, Question, QuestionBank, QuestionType, Quiz

__all__ = [
    "Answer",
    "Asset",
    "Bundle",
    "ContentItem",
    "ContentItemType",
    "Course",
    "IltInstructor",
    "IltMultiSessionEvent",
    "IltSession",
    "CourseSeries",
    "ImportState",
    "Label",
    "Lesson",
    "LessonType",
    "Path",
    "PathItem",
    "PublishedCourse",
    "PublishedPath",
    "Question",
    "QuestionBank",
    "QuestionType",
    "Quiz",
    "SessionProvider",
    "WebPackage",
]
