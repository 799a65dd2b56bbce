"""The container files describe the same portal that the tests exercise."""
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_the_image_installs_with_the_tested_install_script():
    steps = [line for line in (ROOT / "Dockerfile").read_text().splitlines()
             if line.startswith("RUN ") and "install" in line]
    assert steps == ["RUN bash scripts/install.sh"]


def test_compose_variables_are_documented_in_env_example():
    compose = (ROOT / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", compose))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used == documented


def test_compose_services_run_the_portal_script():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert set(services) == {"db", "redis", "ckan", "worker"}
    assert services["worker"]["command"][-1] == "worker"
    assert "portal.py" in (ROOT / "Dockerfile").read_text().splitlines()[-1]
    for name in ("db", "redis", "ckan"):
        assert "healthcheck" in services[name], name
