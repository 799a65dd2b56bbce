"""The test suite's quicker plugin reload gives what CKAN's own steps give."""
import importlib.metadata
import inspect
from pathlib import Path

import msgspec.yaml
import pytest

from ckanext.kg.tests import quick_reload


def _lazy_stack():
    return quick_reload.lazy_stack()


def _full_stack():
    return quick_reload._original_stack()


def test_the_lazy_stack_has_inspects_records():
    lazy = _lazy_stack()
    full = _full_stack()
    assert len(lazy) == len(full)
    assert (lazy[0].filename, lazy[0].function) == (__file__, "_lazy_stack")
    assert (full[0].filename, full[0].function) == (__file__, "_full_stack")
    for index in (2, 3, -1):
        assert lazy[index] == full[index]  # the same place, read later
    assert lazy[2:5] == full[2:5]
    assert lazy[1].function == "test_the_lazy_stack_has_inspects_records"
    assert lazy[1].lineno == full[1].lineno - 1


def test_a_template_directory_is_found_beside_its_caller(monkeypatch):
    from ckan.plugins import toolkit

    def added(stack):
        monkeypatch.setattr(inspect, "stack", stack)
        config = {}
        toolkit.add_template_directory(config, "templates")
        return config["plugin_template_paths"]

    assert added(quick_reload.lazy_stack) == added(quick_reload._original_stack) == [
        str(Path(__file__).parent / "templates")]


def test_entry_points_are_importlibs():
    for name in ("kg", "scheming_datasets", "activity", "no_such_plugin"):
        assert quick_reload.entry_points_once(group="ckan.plugins", name=name) == \
            importlib.metadata.entry_points(group="ckan.plugins", name=name)
    assert quick_reload.entry_points_once(group="ckan.plugins") == \
        importlib.metadata.entry_points(group="ckan.plugins")


def test_a_yaml_file_is_parsed_once_and_each_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "schema.yaml"
    path.write_text("fields:\n- name: a\n  label: {ky: А}\n")
    with path.open() as stream:
        first = quick_reload.safe_load_once(stream)
    first["fields"].append("changed by its caller")
    with path.open() as stream:
        second = quick_reload.safe_load_once(stream)
    assert second == {"fields": [{"name": "a", "label": {"ky": "А"}}]}

    path.write_text("fields: []\n# a longer file, written again\n")
    with path.open() as stream:
        assert quick_reload.safe_load_once(stream) == {"fields": []}
    assert quick_reload.safe_load_once("a: 1") == {"a": 1}


def test_a_yaml_text_is_decoded_once_and_each_caller_gets_its_own_copy():
    text = b"groups:\n- options: [{key: a.b}]\n"
    first = quick_reload.decode_once(text)
    first["groups"].clear()
    assert quick_reload.decode_once(text) == quick_reload._original_decode(text) == {
        "groups": [{"options": [{"key": "a.b"}]}]}
    with pytest.raises(msgspec.ValidationError):
        quick_reload.decode_once(text, type=int)
