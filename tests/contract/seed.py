"""The rows the contract fuzzer finds in the database, so detail routes hit real objects.

Two schools get a few users, a job, the events their creation emitted, and one row of
every model an API viewset serves (made with ``tests.factories.create_owned``, the same
registry the tenancy tests use); the first school also gets a learner with a user JWT.
For every OpenAPI path with parameters, ``real_paths`` then lists the parameter values that
address those rows, found by reversing the routes: a new endpoint whose model has a
factory is fed real ids without touching this file.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, transaction

from apps.core.services import job_create
from apps.schools.models import Member, School
from apps.schools.services.people import user_create
from apps.schools.services.schools import api_key_create, school_create
from apps.schools.tokens import tokens_issue
from tests.core import api_routes
from tests.factories import create_owned


@dataclass
class ContractWorld:
    """The school the fuzzer acts in, its all-scopes key, a learner of it with a user
    access token, and a second school."""

    school: School
    other_school: School
    secret: str
    learner: Member
    user_token: str
    rows: dict[School, list[models.Model]] = field(default_factory=dict)

    def other_people_ids(self) -> set[str]:
        """The ids of the school's users other than the learner (its token must not see them)."""
        people = Member.objects.filter(school=self.school).exclude(pk=self.learner.pk)
        return set(people.values_list("user_id", flat=True))


@dataclass
class KnownRows:
    """Real path parameters per OpenAPI path, and the ids only the other school may see."""

    params_by_path: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    foreign_ids: set[str] = field(default_factory=set)


def _seed_school(school: School, label: str) -> list[models.Model]:
    """Users (with tags), a job, and one row of each model the API serves."""
    rows: list[models.Model] = []
    for index in range(3):
        member, _ = user_create(
            school=school,
            email=f"{label}{index}@contract.test",
            first_name=f"First{index}",
            last_name=f"Last{index}",
            password="correct horse battery staple",
            tags=[f"cohort-{index}"],
        )
        rows.append(member)
    rows.append(
        job_create(school=school, kind="contract.seed", scope="read:users", params={"label": label})
    )
    for model in dict.fromkeys(route.model for route in api_routes.viewset_routes()):
        try:
            rows.append(create_owned(model, school=school))
        except KeyError:
            continue  # no factory: tests/test_tenancy.py already fails for it
    return rows


def seed_contract_data() -> ContractWorld:
    """Create two schools with data and an all-scopes API key for the first."""
    school, _ = school_create(name="Contract Academy", slug="contract")
    other_school, _ = school_create(name="Other Academy", slug="contract-other")
    rows = {school: _seed_school(school, "alpha"), other_school: _seed_school(other_school, "beta")}
    _, secret = api_key_create(school=school, name="contract fuzzer", scopes=["*"])
    learner, _ = user_create(
        school=school,
        email="learner@contract.test",
        first_name="Lee",
        last_name="Learner",
        password="correct horse battery staple",
    )
    return ContractWorld(
        school=school,
        other_school=other_school,
        secret=secret,
        learner=learner,
        user_token=tokens_issue(member=learner).access_token,
        rows=rows,
    )


LYCEUM_ID = re.compile(r"^[a-z]+_[0-9a-z]{26}$")


def _lyceum_ids(obj: models.Model) -> set[str]:
    """The prefixed ids the API may show for ``obj``: its pk and each route's lookup value."""
    values = {str(obj.pk)}
    for route in api_routes.viewset_routes():
        if route.model is type(obj):
            values.add(str(getattr(obj, route.viewset.lookup_field)))
    return {value for value in values if LYCEUM_ID.match(value)}


def _template_regex(path: str) -> re.Pattern:
    """``/api/v1/users/{id}/`` -> a regex capturing ``id`` from a concrete path."""
    parts = re.split(r"{(\w+)}", path.rstrip("/"))
    pattern = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>[^/]+)"
        for index, part in enumerate(parts)
    )
    return re.compile(f"^{pattern}/?$")


def real_paths(raw_schema: dict, world: ContractWorld) -> KnownRows:
    """For each parameterised OpenAPI path, the parameters addressing seeded rows.

    The other school's rows are included on purpose: their ids must get a documented 404,
    never the row, and must never appear in this school's answers.
    """
    templates = {path: _template_regex(path) for path in raw_schema.get("paths", {}) if "{" in path}
    known = KnownRows()
    own_ids: set[str] = set()
    for school, rows in world.rows.items():
        ids = own_ids if school == world.school else known.foreign_ids
        for obj in rows:
            ids.update(_lyceum_ids(obj))
            for route in api_routes.viewset_routes():
                if route.model is not type(obj) or not route.kwargs:
                    continue
                try:
                    url = route.url_for(obj)
                except (AttributeError, ValueError):
                    continue
                for path, regex in templates.items():
                    match = regex.match(url)
                    if match:
                        known.params_by_path.setdefault(path, []).append(match.groupdict())
    known.foreign_ids -= own_ids  # a person in both schools is visible to both
    return known


@contextmanager
def rolled_back() -> Iterator[None]:
    """Undo every write made inside, so each generated example starts from the seed."""
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)
