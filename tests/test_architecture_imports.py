"""The import graph of our own packages: no cycles, and no one imports a hooks module.

Every `import` statement counts, at module level or inside a function: an import
deferred into a function still ties the two modules together, it only hides the
loop from Python. The graph is read from the source with `ast`, so the check needs
no database and imports nothing.
"""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("home", "blog", "events")


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def our_modules():
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            modules[module_name(path)] = path
    return modules


def imported_names(path, name):
    """Every module name an import in `path` (module `name`) refers to, absolute."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            yield source
            for alias in node.names:
                yield f"{source}.{alias.name}"


def import_graph():
    modules = our_modules()
    graph = {}
    for name, path in modules.items():
        targets = set()
        for imported in imported_names(path, name):
            if imported in modules and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph):
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_checker_finds_a_cycle_it_is_given():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_checker_reads_relative_and_function_level_imports(tmp_path):
    module = tmp_path / "mod.py"
    module.write_text("def f():\n    from .sibling import thing\n    import other.mod\n")
    names = set(imported_names(module, "pkg.mod"))
    assert {"pkg.sibling", "pkg.sibling.thing", "other.mod"} <= names


def test_our_packages_import_each_other_without_cycles():
    found = cycles(import_graph())
    assert found == [], "Import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


# Which of home's packages each may import (docs/architecture.md draws the same).
HOME_LAYERS = {
    "home.web": set(),
    "home.privacy": {"home.hooks", "home.web"},
    "home.abuse": {"home.privacy"},
    "home.pages": {"home.abuse", "home.privacy", "home.web"},
    "home.report": {"home.hooks", "home.pages", "home.web"},
    "home.staff": {"home.hooks", "home.pages", "home.privacy", "home.report"},
    "home.demo": {"home.pages", "home.report"},
}


def home_package(name):
    parts = name.split(".")
    return ".".join(parts[:2]) if parts[0] == "home" and len(parts) > 1 else None


def test_home_packages_import_only_the_layers_below_them():
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        if home_package(name) in HOME_LAYERS
        for target in targets
        if home_package(target) not in (None, home_package(name))
        and home_package(target) not in HOME_LAYERS[home_package(name)]
    )
    assert offenders == []


def test_no_module_imports_a_wagtail_hooks_module():
    offenders = sorted(
        f"{name} imports {target}"
        for name, targets in import_graph().items()
        for target in targets
        if target.rpartition(".")[2] == "wagtail_hooks"
    )
    assert offenders == []


def test_demo_content_is_not_imported_when_the_site_starts():
    """Starting the site (apps, every wagtail_hooks module, the URLs) imports no
    demo module: only `load_demo` reaches them, through the DEMO_CONTENT hook."""
    script = (
        "import sys, django; django.setup();"
        "from wagtail import hooks; hooks.search_for_hooks();"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('home', 'blog', 'events'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "home.wagtail_hooks" in loaded and "events.wagtail_hooks" in loaded
    assert [name for name in loaded if any(p.startswith("demo") for p in name.split("."))] == []
