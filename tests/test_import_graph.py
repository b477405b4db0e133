"""No import cycle between feature packages.

Every import in portal/ is read from the source (at module level and inside functions alike:
an import deferred into a function to dodge a cycle at start-up is still a cycle). Each feature
package (a folder of portal/ with an __init__.py) is one node of the graph, each shared module
(a file directly in portal/) another; a cycle among them that takes in two feature packages
fails, naming the imports that make it. The shared piece belongs in the package that owns it or
in a shared module that imports no feature.

Two modules import every feature by design and are left out: `portal/__init__.py` (the app
factory registers every blueprint and, with them, their commands) and `portal/models.py` (the
index of every feature's models, for Alembic's metadata). Imports under `if TYPE_CHECKING:`
never run, so they are left out too.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"
WIRING = frozenset({"portal", "portal.models"})


@dataclass(frozen=True)
class Import:
    source: str  # the importing module, e.g. portal.notes.views
    target: str  # the imported module, e.g. portal.meetings.service
    where: str  # file:line of the import statement


def modules(root: Path) -> dict[str, Path]:
    """Return every module under `root` (a package folder) by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _runtime_nodes(tree: ast.AST):
    """Yield every node of `tree` except what sits under `if TYPE_CHECKING:`."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def imports(root: Path) -> list[Import]:
    """Return every import between modules of the package at `root`."""
    known = modules(root)
    found = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_nodes(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                for alias in node.names:
                    # `from .. import search` imports the module portal.search;
                    # `from ..models import Feedback` imports portal.models.
                    submodule = f"{module}.{alias.name}"
                    targets.append(submodule if submodule in known else module)
            for target in targets:
                while target and target not in known:  # `import portal.x.y` as far as it exists
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Import(name, target, f"{path.name}:{node.lineno}"))
    return found


def unit(module: str) -> str:
    """The node a module belongs to: its feature package, or the shared module itself."""
    return ".".join(module.split(".")[:2])


def feature_packages(root: Path) -> set[str]:
    return {
        f"{root.name}.{child.name}"
        for child in root.iterdir()
        if child.is_dir() and (child / "__init__.py").exists()
    }


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the groups of nodes that all reach one another."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def feature_cycles(root: Path) -> list[str]:
    """Return a description of each cycle that takes in two or more feature packages."""
    features = feature_packages(root)
    graph: dict[str, set[str]] = defaultdict(set)
    evidence: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for found in imports(root):
        if found.source in WIRING or found.target in WIRING:
            continue
        a, b = unit(found.source), unit(found.target)
        if a != b:
            graph[a].add(b)
            evidence[(a, b)].append(found)
    problems = []
    for group in strongly_connected(graph):
        if len(group & features) < 2:
            continue
        lines = [
            f"  {i.source} imports {i.target} ({i.where})"
            for (a, b), found in sorted(evidence.items())
            if a in group and b in group
            for i in dict.fromkeys(found)
        ]
        problems.append(f"cycle between {', '.join(sorted(group))}:\n" + "\n".join(lines))
    return problems


def test_no_cycle_between_feature_packages():
    problems = feature_cycles(PORTAL)
    assert not problems, "\n\n".join(problems)


def test_the_walk_sees_imports_at_module_level_and_inside_functions():
    """The graph is built from real imports, so the test above cannot pass by seeing none."""
    found = {(i.source, i.target) for i in imports(PORTAL)}
    assert ("portal.triage.views", "portal.triage.inbox") in found  # from .inbox import ...
    assert ("portal.notes.service", "portal.search") in found  # from .. import search
    assert ("portal.notes.service", "portal.agenda") in found  # inside pin_to_meeting
    assert ("portal.meetings.service", "portal.notes.service") in found  # inside a function
    assert {"portal.triage", "portal.notes", "portal.meetings"} <= feature_packages(PORTAL)


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "fake"
    for name, text in {"__init__.py": "", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    "files",
    [
        # module level, both ways
        {
            "a/__init__.py": "",
            "a/service.py": "from ..b import service\n",
            "b/__init__.py": "",
            "b/service.py": "from ..a.service import thing\n",
        },
        # one side deferred into a function
        {
            "a/__init__.py": "",
            "a/views.py": "def view():\n    from ..b import service\n",
            "b/__init__.py": "",
            "b/service.py": "import fake.a.views\n",
        },
        # through a shared module
        {
            "a/__init__.py": "",
            "a/service.py": "from .. import shared\n",
            "b/__init__.py": "",
            "b/service.py": "from ..a import service\n",
            "shared.py": "from .b.service import thing\n",
        },
    ],
    ids=["module-level", "inside-a-function", "through-a-shared-module"],
)
def test_a_cycle_between_two_features_is_found(tmp_path, files):
    problems = feature_cycles(_package(tmp_path, files))
    assert len(problems) == 1
    assert "fake.a" in problems[0] and "fake.b" in problems[0]


def test_one_way_imports_and_type_checking_imports_are_not_cycles(tmp_path):
    root = _package(
        tmp_path,
        {
            "a/__init__.py": "",
            "a/service.py": "from ..b import service\nfrom .. import shared\n",
            "b/__init__.py": "",
            "b/service.py": (
                "from typing import TYPE_CHECKING\n"
                "if TYPE_CHECKING:\n    from ..a.service import Thing\n"
            ),
            "shared.py": "import json\n",
        },
    )
    assert feature_cycles(root) == []
