"""The layers the design notes promise, checked on the source: writes live in services,
reads in selectors, views only call them.

The checks read each module's syntax tree (``ast``), so a comment or a string naming
``.save()`` is not a call, and a call is found however it is formatted.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parent.parent / "apps"
# Write methods, by what they must be called on to write rows: names only the ORM uses (and
# ``save``/``delete``, on a row) count anywhere; ``create``/``update`` on a manager or
# queryset chain (not ``dict.update``); ``add``/``remove``/``clear``/``set`` on a relation
# reached as an attribute (``member.tags.add``, not ``seen.add`` or ``calendar.add``).
ANYWHERE = frozenset(
    {
        "save",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "select_for_update",
    }
)
ON_ROWS = frozenset({"create", "update"})
ON_RELATIONS = frozenset({"add", "remove", "clear", "set"})
# Queryset methods: a write method called on a chain holding one of these writes rows.
QUERYSET_METHODS = frozenset(
    {"objects", "all", "filter", "exclude", "select_related", "prefetch_related", "annotate"}
)
EMITTERS = frozenset({"emit", "emit_many"})


def _modules(pattern: str) -> list[Path]:
    return sorted(path for path in APPS.glob(pattern) if path.name != "__init__.py")


def _chain(node: ast.expr) -> list[str]:
    """The names along a call's receiver: ``Group.objects.filter(x).update`` gives
    ``["Group", "objects", "filter", "update"]``."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def _on_rows(chain: list[str]) -> bool:
    return bool(QUERYSET_METHODS & set(chain[:-1]))


def _writes_rows(node: ast.Call) -> bool:
    """Whether a call writes rows, by its method and what it is called on."""
    if not isinstance(node.func, ast.Attribute):
        return False
    method, chain = node.func.attr, _chain(node.func)
    return (
        method in ANYWHERE
        or (method in ON_ROWS and _on_rows(chain))
        or (method in ON_RELATIONS and isinstance(node.func.value, ast.Attribute))
    )


def _is_emit(node: ast.Call) -> bool:
    chain = _chain(node.func)
    return bool(chain) and chain[-1] in EMITTERS


def selector_writes(source: str) -> Iterator[str]:
    """Each write a selector module makes: a call that writes rows, an event emitted, a
    transaction opened, or a services module imported."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and (_writes_rows(node) or _is_emit(node)):
            yield f"line {node.lineno}: {'.'.join(_chain(node.func))}()"
        elif isinstance(node, ast.Attribute) and _chain(node) == ["transaction", "atomic"]:
            # ``@transaction.atomic`` or ``with transaction.atomic():``; a read needs neither
            yield f"line {node.lineno}: transaction.atomic"
        elif isinstance(node, ast.ImportFrom) and ".services" in f".{node.module or ''}":
            yield f"line {node.lineno}: imports {node.module}"


def _service_names(tree: ast.Module) -> set[str]:
    """Names a module binds to services functions or modules (``from ...services... import``)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and ".services" in f".{node.module or ''}"
        for alias in node.names
    }


def view_writes(source: str) -> Iterator[str]:
    """Each write an API module makes itself instead of through a service (a call that writes
    rows, an event emitted), and each ``exists()`` on rows tested by an ``if`` with a service
    call at or after it: the check-then-act a service's ``(obj, created)`` replaces."""
    tree = ast.parse(source)
    services = _service_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (_writes_rows(node) or _is_emit(node)):
            yield f"line {node.lineno}: {'.'.join(_chain(node.func))}()"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            acts = [
                call.lineno
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and set(_chain(call.func)[:1]) & services
            ]
            for test in (n.test for n in ast.walk(node) if isinstance(n, ast.If | ast.IfExp)):
                for call in ast.walk(test):
                    chain = _chain(call.func) if isinstance(call, ast.Call) else []
                    checks = chain[-1:] == ["exists"] and _on_rows(chain)
                    if checks and any(line >= call.lineno for line in acts):
                        yield f"line {call.lineno}: {'.'.join(chain)}() deciding a service call"


def hand_read_parameters(source: str) -> Iterator[str]:
    """Each query parameter an API module reads by hand (``query_params.get("x")``,
    ``query_params["x"]``, ``"x" in query_params``) instead of through a FilterSet or a
    serializer, which validate it (400 naming it) and put it in the OpenAPI schema. Handing
    the whole ``query_params`` to one of those is how it should be read."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in {"query_params", "GET"}):
            continue
        parent = parents.get(node)
        if isinstance(parent, ast.Attribute) or (
            isinstance(parent, ast.Subscript) and parent.value is node
        ):
            yield f"line {node.lineno}: {node.attr}"
        elif isinstance(parent, ast.Compare) and node in parent.comparators:
            yield f"line {node.lineno}: in {node.attr}"


def _relative(path: Path) -> str:
    return str(path.relative_to(APPS.parent))


@pytest.mark.parametrize(
    "path",
    [*_modules("*/selectors/**/*.py"), *_modules("*/selectors.py")],
    ids=_relative,
)
def test_selectors_do_not_write(path):
    # given / when
    writes = list(selector_writes(path.read_text()))

    # then
    assert writes == [], f"{_relative(path)} writes: {writes}"


@pytest.mark.parametrize(
    "path", [*_modules("*/api/**/*.py"), *_modules("*/views.py")], ids=_relative
)
def test_api_modules_write_only_through_services(path):
    # given / when
    writes = list(view_writes(path.read_text()))

    # then
    assert writes == [], f"{_relative(path)} writes without a service: {writes}"


@pytest.mark.parametrize(
    "path", [*_modules("*/api/**/*.py"), *_modules("*/views.py")], ids=_relative
)
def test_api_modules_read_query_parameters_through_filtersets(path):
    # given / when
    reads = list(hand_read_parameters(path.read_text()))

    # then
    assert reads == [], f"{_relative(path)} reads query parameters by hand: {reads}"


@pytest.mark.parametrize("layer", ["services", "selectors"])
def test_schools_layers_are_packages_split_by_subdomain(layer):
    # given
    package = APPS / "schools" / layer

    # when
    modules = {path.stem for path in package.glob("*.py")} - {"__init__"}

    # then: a package with one module per subdomain, and no module beside it by the same name
    assert not (APPS / "schools" / f"{layer}.py").exists()
    assert {"people", "groups", "domains", "access_codes", "signup_fields"} <= modules
    for name in modules:
        assert not (APPS / "schools" / f"{name}.py").exists(), f"apps/schools/{name}.py"


@pytest.mark.parametrize(
    "init",
    sorted(APPS.glob("*/services/__init__.py")) + sorted(APPS.glob("*/selectors/__init__.py")),
)
def test_layer_packages_re_export_nothing(init):
    # given / when: everything in the package's __init__ but its docstring
    body = ast.parse(init.read_text()).body
    statements = [node for node in body if not isinstance(node, ast.Expr)]

    # then: callers import from the module that holds the function
    assert statements == [], f"{_relative(init)} re-exports"


# Commerce sits on top of the apps it sells (core ← schools ← catalog ← enrollments ←
# commerce) and webhooks hears it only through core's events: no other app imports it.
BELOW_COMMERCE = ("core", "schools", "catalog", "enrollments", "webhooks")


def imported_apps(source: str) -> set[str]:
    """The ``apps.<name>`` packages a module imports (``import`` and ``from … import``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "apps":
                found.add(parts[1])
    return found


@pytest.mark.parametrize("app", BELOW_COMMERCE)
def test_no_app_below_commerce_imports_it(app):
    # given / when
    upward = [
        _relative(path)
        for path in sorted((APPS / app).rglob("*.py"))
        if "commerce" in imported_apps(path.read_text())
    ]

    # then
    assert upward == [], f"apps/{app} imports commerce: {upward}"


# The community sits on top of schools, catalog and enrollments (core ← schools ← catalog ←
# enrollments ← community): nothing imports it, not even commerce, its sibling at the top.
BELOW_COMMUNITY = ("core", "schools", "catalog", "enrollments", "commerce", "webhooks")


@pytest.mark.parametrize("app", BELOW_COMMUNITY)
def test_no_app_imports_community(app):
    # given / when
    upward = [
        _relative(path)
        for path in sorted((APPS / app).rglob("*.py"))
        if "community" in imported_apps(path.read_text())
    ]

    # then
    assert upward == [], f"apps/{app} imports community: {upward}"


def test_community_imports_only_the_apps_below_it():
    # given
    allowed = {"community", "core", "schools", "catalog", "enrollments"}

    # when
    reached = {
        f"{_relative(path)}: {name}"
        for path in sorted((APPS / "community").rglob("*.py"))
        for name in imported_apps(path.read_text()) - allowed
    }

    # then
    assert reached == set()


def test_import_check_finds_every_spelling():
    source = "import apps.commerce.models\nfrom apps.catalog.models import Course\nimport os\n"

    assert imported_apps(source) == {"commerce", "catalog"}


def test_checks_find_writes_however_written():
    # given: writes a reviewer would flag, spelled as code really spells them
    selector = (
        "from apps.schools.services.groups import group_create\n"
        "def group_list(school):\n"
        "    Group.objects.filter(school=school).update(name='x')\n"
        "    member.tags.add(tag)\n"
        "    emit(school, 'group.created', {})\n"
        "    with transaction.atomic():\n"
        "        calendar.add('summary', 'x')\n"  # an object being built, not a row
        "        payload.update(extra)\n"  # a dict
        "        return Group.objects.all()\n"
    )
    view = (
        "from apps.schools.services.groups import asset_for_token, group_create\n"
        "def perform_create(self, serializer):\n"
        "    if Group.objects.filter(name=serializer.data['name']).exists():\n"
        "        return\n"
        "    group_create(school=self.school, name='x')\n"
        "    Group.objects.create(name='x')\n"
        "    self.get_object().delete()\n"
        "    self.update(request)\n"  # a viewset action, not a row write
        "    fields.update(rule)\n"  # a dict
        "def serve(request, path):\n"
        "    asset = asset_for_token(path)\n"  # a service read first, then a check: no act
        "    if Asset.objects.filter(file=asset).exists() and storage.exists(path):\n"
        "        return FileResponse(storage.open(path))\n"
    )
    parameters = (
        "def since(request):\n"
        "    raw = request.query_params.get('since')\n"
        "    page = self.request.GET['page']\n"
        "    if 'cursor' in request.query_params:\n"
        "        return Filter(data=request.query_params, request=request)\n"  # the right way
    )

    # when
    found_in_selector = list(selector_writes(selector))
    found_in_view = list(view_writes(view))
    found_parameters = list(hand_read_parameters(parameters))

    # then
    assert sorted(f.split(":")[0] for f in found_in_selector) == [
        "line 1",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
    assert sorted(f.split(":")[0] for f in found_in_view) == ["line 3", "line 6", "line 7"]
    assert sorted(f.split(":")[0] for f in found_parameters) == ["line 2", "line 3", "line 4"]
