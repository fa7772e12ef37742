"""Objects the contract fuzzer finds in the database, so detail routes hit real rows.

Each app adds a few of its own objects in ``seed_contract_data``. Their ids are then
discovered through the API's own list endpoints (``discover_rows``), so nothing here has
to know the routes: a new collection with seeded rows is covered on its own.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.test import Client

from apps.core.services import job_create
from apps.schools.models import School
from apps.schools.services import api_key_create, school_create, user_create


@dataclass(frozen=True)
class ContractWorld:
    """The school the fuzzer acts in, its all-scopes key, and a second school."""

    school: School
    other_school: School
    secret: str
    other_secret: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}


def _seed_school(school: School, label: str) -> None:
    """A handful of users (with tags), a job and the events their creation emitted."""
    for index in range(3):
        user_create(
            school=school,
            email=f"{label}{index}@contract.test",
            first_name=f"First{index}",
            last_name=f"Last{index}",
            password="correct horse battery staple",
            tags=[f"cohort-{index}"],
        )
    job_create(school=school, kind="contract.seed", params={"label": label}, total=1)


def seed_contract_data() -> ContractWorld:
    """Create two schools with data and an all-scopes API key for each."""
    school, _ = school_create(name="Contract Academy", slug="contract")
    other_school, _ = school_create(name="Other Academy", slug="contract-other")
    _seed_school(school, "alpha")
    _seed_school(other_school, "beta")
    _, secret = api_key_create(school=school, name="contract fuzzer", scopes=["*"])
    _, other_secret = api_key_create(school=other_school, name="other", scopes=["*"])
    return ContractWorld(
        school=school, other_school=other_school, secret=secret, other_secret=other_secret
    )


@dataclass
class KnownRows:
    """Rows the list endpoints returned, and the ids only the other school may see."""

    by_path: dict[str, list[dict]] = field(default_factory=dict)
    foreign_ids: set[str] = field(default_factory=set)


def discover_rows(raw_schema: dict, world: ContractWorld) -> KnownRows:
    """List every collection of the schema with both schools' keys and keep a few rows.

    The other school's rows are kept on purpose: the fuzzer must get a documented 404 for
    their ids, never the row, and their ids must never appear in this school's answers.
    """
    known = KnownRows()
    own_ids: set[str] = set()
    for path, item in raw_schema.get("paths", {}).items():
        if "{" in path or "get" not in item:
            continue
        for secret, ids in ((world.secret, own_ids), (world.other_secret, known.foreign_ids)):
            client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
            response = client.get(path, {"page_size": 5})
            body = response.json() if response.status_code == 200 else {}
            results = body.get("results") if isinstance(body, dict) else None
            rows = [row for row in results or [] if isinstance(row, dict)]
            known.by_path.setdefault(path, []).extend(rows)
            ids.update(str(row["id"]) for row in rows if row.get("id"))
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
