"""kg_validation is the engine the portal, kg-validate and kg-publish share:
it never imports CKAN (ckan, ckanext), so it runs and is tested without a
portal."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kg_validation"
CKAN = ("ckan", "ckanext")


def ckan_imports(source: str) -> list[str]:
    """The CKAN modules a module's source imports, at any depth of it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in CKAN]
    return found


def test_kg_validation_never_imports_ckan():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 20
    imports = {str(path.relative_to(PACKAGE)): ckan_imports(path.read_text("utf-8"))
               for path in modules}
    assert {path: names for path, names in imports.items() if names} == {}


def test_the_check_sees_an_import_inside_a_function():
    source = "import json\ndef f():\n    from ckan.plugins import toolkit\n    import ckanext.kg\n"
    assert ckan_imports(source) == ["ckan.plugins", "ckanext.kg"]
