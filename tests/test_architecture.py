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
# Methods that write rows (managers, querysets, instances, many-to-many managers) or lock
# them for a write.
WRITE_METHODS = frozenset(
    {
        "save",
        "delete",
        "create",
        "update",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "select_for_update",
        "set",
        "add",
        "remove",
        "clear",
    }
)
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


def selector_writes(source: str) -> Iterator[str]:
    """Each write a selector module makes: a write method called on anything (a selector
    has no reason to call ``save``/``update``/``add`` on a row, a queryset or a relation),
    an event emitted, a transaction opened, or a services module imported."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            chain = _chain(node.func)
            if isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS:
                yield f"line {node.lineno}: {'.'.join(chain)}()"
            elif chain and chain[-1] in EMITTERS:
                yield f"line {node.lineno}: {chain[-1]}()"
        elif isinstance(node, ast.Attribute) and _chain(node) == ["transaction", "atomic"]:
            # ``@transaction.atomic`` or ``with transaction.atomic():``; a read needs neither
            yield f"line {node.lineno}: transaction.atomic"
        elif isinstance(node, ast.ImportFrom) and ".services" in f".{node.module or ''}":
            yield f"line {node.lineno}: imports {node.module}"


def view_writes(source: str) -> Iterator[str]:
    """Each write an API module makes itself instead of through a service: ``save()`` or
    ``delete()`` on anything, a write method on a manager or queryset, an event emitted,
    or an ``exists()`` check (the check-then-act a service's ``(obj, created)`` replaces)."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        chain = _chain(node.func)
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        on_rows = bool(QUERYSET_METHODS & set(chain[:-1]))
        if method in {"save", "delete", "exists"} or (method in WRITE_METHODS and on_rows):
            yield f"line {node.lineno}: {'.'.join(chain)}()"
        elif chain and chain[-1] in EMITTERS:
            yield f"line {node.lineno}: {chain[-1]}()"


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


def test_checks_find_writes_however_written():
    # given: writes a reviewer would flag, spelled as code really spells them
    selector = (
        "from apps.schools.services.groups import group_create\n"
        "def group_list(school):\n"
        "    Group.objects.filter(school=school).update(name='x')\n"
        "    member.tags.add(tag)\n"
        "    emit(school, 'group.created', {})\n"
        "    with transaction.atomic():\n"
        "        return Group.objects.all()\n"
    )
    view = (
        "def perform_create(self, serializer):\n"
        "    if Group.objects.filter(name=serializer.data['name']).exists():\n"
        "        return\n"
        "    Group.objects.create(name='x')\n"
        "    self.get_object().delete()\n"
        "    self.update(request)\n"  # a viewset action, not a row write
        "    fields.update(rule)\n"  # a dict
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
    assert [f.split(":")[0] for f in found_in_selector] == [
        "line 1",
        "line 3",
        "line 4",
        "line 5",
        "line 6",
    ]
    assert [f.split(":")[0] for f in found_in_view] == ["line 2", "line 4", "line 5"]
    assert sorted(f.split(":")[0] for f in found_parameters) == ["line 2", "line 3", "line 4"]
