"""No import cycles in node, federation or web (issue 22).

A cycle makes the order of imports matter and tempts the next person to hide an import inside a
function; contexts that import each other in a ring cannot be read, tested or moved one at a
time. The graph is grimp's (the library import-linter is built on): it sees every import
statement, also those inside functions and under ``TYPE_CHECKING``, so neither hides a cycle.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("node", "federation", "web")


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative: the
    graph is deep enough to make the recursive form a risk), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    imported = graph.find_modules_directly_imported_by(child)
                    work.append((child, iter(sorted(imported))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found, key=len, reverse=True)


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    """One cycle through the component, spelled out: ``a -> b -> c -> a``."""
    first, second = component[0], None
    for candidate in component[1:]:
        if graph.direct_import_exists(importer=first, imported=candidate):
            second = candidate
            break
    if second is None:
        return ", ".join(component)
    back = graph.find_shortest_chain(importer=second, imported=first) or (second, first)
    return " -> ".join((first, *back))


def test_the_import_graph_has_no_cycle(graph: grimp.ImportGraph) -> None:
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(describe(graph, c) for c in found)


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above is only worth something if it can fail."""
    graph = grimp.ImportGraph()
    for module in ("a", "a.b", "a.c", "a.d"):
        graph.add_module(module)
    graph.add_import(importer="a.b", imported="a.c")
    graph.add_import(importer="a.c", imported="a.d")
    graph.add_import(importer="a.d", imported="a.b")
    graph.add_import(importer="a", imported="a.b")
    assert cycles(graph) == [["a.b", "a.c", "a.d"]]
    assert describe(graph, ["a.b", "a.c", "a.d"]) == "a.b -> a.c -> a.d -> a.b"
