"""The load reports its progress under the stage name the gate shows,
without importing the gate."""
from ckanext.kg.publishing.gate import state
from ckanext.kg.publishing.load import datastore


def test_the_load_reports_the_stage_the_gate_shows():
    assert datastore.LOADING == state.LOADING
