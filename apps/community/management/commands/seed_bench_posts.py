"""Load the posts benchmark's space in the demo school: a public space under the id the
scenario names, ``--posts`` posts by the school's people and ``--comments-per-post``
comments on each (100,000 posts make 1,000,000 comments), plus one reaction per post.
Multi-row ``INSERT … SELECT generate_series`` statements, not the ORM: a million rows load
in seconds. Idempotent (a space that already holds posts is left as it is)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from apps.community.models import Comment, Post, Reaction, Space
from apps.schools.models import School, User


class Command(BaseCommand):
    help = "Create the posts benchmark's space with its posts, comments and reactions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--id", required=True, help="The space's id (spc_...).")
        parser.add_argument("--posts", type=int, default=100_000)
        parser.add_argument("--comments-per-post", type=int, default=10)
        parser.add_argument("--school", default="demo", help="The school's slug.")

    @transaction.atomic
    def handle(self, *args, id: str, posts: int, comments_per_post: int, school: str, **options):
        owner = School.objects.get(slug=school)
        space = Space.objects.filter(pk=id).first()
        if space is None:
            space = Space(id=id, school=owner, title="Benchmark posts")
            space.save(force_insert=True)
        if space.posts.exists():
            return
        authors = list(
            User.objects.filter(school=owner).order_by("id").values_list("id", flat=True)[:1000]
        )
        if not authors:
            raise CommandError(f"School {school!r} has no people to write the posts.")
        # Ids as the API makes them: a prefix and 26 characters that sort by creation.
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {Post._meta.db_table}
                    (id, school_id, space_id, author_id, title, body, tags, is_pinned,
                     is_hidden, hidden_reason, created_at, updated_at)
                SELECT 'pst_' || lpad(to_hex(g), 26, '0'), %s, %s, (%s::text[])[1 + g %% %s],
                       'Post ' || g, '<p>Benchmark post ' || g || '</p>',
                       CASE WHEN g %% 10 = 0 THEN 'tips' ELSE '' END, false, false, '',
                       now() - (%s - g) * interval '1 second',
                       now() - (%s - g) * interval '1 second'
                FROM generate_series(1, %s) g
                """,
                [owner.pk, space.pk, authors, len(authors), posts, posts, posts],
            )
            cursor.execute(
                f"""
                INSERT INTO {Comment._meta.db_table}
                    (id, school_id, post_id, author_id, body, is_hidden, hidden_reason,
                     created_at, updated_at)
                SELECT 'cmt_' || lpad(to_hex(g), 26, '0'), %s,
                       'pst_' || lpad(to_hex(1 + (g - 1) / %s), 26, '0'),
                       (%s::text[])[1 + g %% %s], '<p>Comment ' || g || '</p>', false, '',
                       now(), now()
                FROM generate_series(1, %s) g
                """,
                [owner.pk, comments_per_post, authors, len(authors), posts * comments_per_post],
            )
            cursor.execute(
                f"""
                INSERT INTO {Reaction._meta.db_table}
                    (id, school_id, post_id, user_id, kind, created_at, updated_at)
                SELECT 'rct_' || lpad(to_hex(g), 26, '0'), %s, 'pst_' || lpad(to_hex(g), 26, '0'),
                       (%s::text[])[1 + g %% %s], 'like', now(), now()
                FROM generate_series(1, %s) g
                """,
                [owner.pk, authors, len(authors), posts],
            )
        self.stderr.write(
            f"Space {space.pk}: {posts} posts, {posts * comments_per_post} comments loaded."
        )
