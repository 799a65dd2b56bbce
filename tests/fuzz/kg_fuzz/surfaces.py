"""The portal's public surfaces, read from the configuration it runs with:
every action in CKAN's registry and every route of its Flask app.

    python tests/fuzz/kg_fuzz/surfaces.py INI     prints them as one JSON document

Run in a process of its own, since the test process runs CKAN on another
configuration (var/test.ini) with other plugins.
"""
from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PARAM = re.compile(r":param\s+(?:\w+\s+)?([\w.]+):")
# methods a reader can send; HEAD and OPTIONS are answered by Flask itself
FUZZED_METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Action:
    name: str
    side_effect_free: bool  # the only actions the API answers on GET
    params: tuple[str, ...]  # from the action's docstring


@dataclass(frozen=True)
class Argument:
    name: str
    kind: str  # "string", "path" or "int"
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class View:
    rule: str  # as Flask writes it: "/dataset/<id>/resource/<resource_id>"
    endpoint: str
    methods: tuple[str, ...]
    arguments: tuple[Argument, ...]

    def path(self, values: dict[str, str]) -> str:
        """The rule with each argument replaced by its (already quoted) value."""
        return re.sub(r"<(?:[^:<>]+:)?(\w+)>", lambda m: values[m.group(1)], self.rule)


@dataclass(frozen=True)
class Surfaces:
    actions: tuple[Action, ...]
    views: tuple[View, ...]


def read_surfaces(ini: Path) -> Surfaces:
    """The surfaces of the portal configured by `ini`, read in a child process."""
    out = subprocess.run([sys.executable, __file__, str(ini)], check=True,
                         capture_output=True, text=True).stdout
    data = json.loads(out)
    actions = tuple(Action(a["name"], a["side_effect_free"], tuple(a["params"]))
                    for a in data["actions"])
    views = tuple(View(v["rule"], v["endpoint"], tuple(v["methods"]),
                       tuple(Argument(**arg) for arg in v["arguments"]))
                  for v in data["views"])
    return Surfaces(actions, views)


# -- in the child process, with CKAN loaded ------------------------------------------

def documented_params(function) -> list[str]:
    """`:param x:` names of an action, looking through CKAN's wrapper
    (`__wrapped__`) and chained actions (functools.partial(new, previous))
    to the first one documented."""
    while True:
        names = PARAM.findall(getattr(function, "__doc__", None) or "")
        if names:
            return sorted(set(names))
        if hasattr(function, "__wrapped__"):
            function = function.__wrapped__
        elif isinstance(function, functools.partial):
            function = function.args[0]
        else:
            return []


def registered_actions() -> list[dict]:
    import ckan.logic as logic
    logic.get_action("status_show")  # fills the registry from every plugin
    return [{"name": name, "params": documented_params(function),
             "side_effect_free": bool(getattr(function, "side_effect_free", False))}
            for name, function in sorted(logic._actions.items())]


def argument(name: str, converter) -> dict:
    kind = type(converter).__name__
    if kind == "IntegerConverter":
        return {"name": name, "kind": "int",
                "low": converter.min, "high": converter.max}
    return {"name": name, "kind": "path" if kind == "PathConverter" else "string"}


def routed_views(app) -> list[dict]:
    views = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = [m for m in FUZZED_METHODS if m in rule.methods]
        views.append({"rule": rule.rule, "endpoint": rule.endpoint, "methods": methods,
                      "arguments": [argument(name, converter)
                                    for name, converter in rule._converters.items()]})
    return views


def main(ini: str) -> None:
    from ckan.cli import load_config
    from ckan.config.middleware import make_app
    app = make_app(load_config(ini))
    flask_app = app._wsgi_app
    with flask_app.test_request_context():
        document = {"actions": registered_actions(), "views": routed_views(flask_app)}
    print(json.dumps(document))


if __name__ == "__main__":
    main(sys.argv[1])
