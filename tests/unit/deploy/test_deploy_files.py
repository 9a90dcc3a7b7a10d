"""The deployment files parse, and say what docs/deploy.md promises (nothing is built here)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]


def test_the_compose_file_runs_postgresql_and_two_triage_processes_after_the_migration():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    runners = [s for s in services.values() if s.get("command") == ["run"]]
    assert len(runners) == 2
    for runner in runners:
        assert runner["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    # Secrets come from the environment, never from the file.
    assert "${POSTGRES_PASSWORD" in (ROOT / "compose.yaml").read_text()


def test_docker_compose_accepts_the_compose_file():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker is not installed here")
    probe = subprocess.run([docker, "compose", "version"], check=False, capture_output=True,
                           text=True)
    if probe.returncode != 0:
        pytest.skip("the docker compose plugin is not installed here")
    env_file = ROOT / ".env"
    created = not env_file.exists()
    if created:
        env_file.write_text("POSTGRES_PASSWORD=x\n")
    try:
        result = subprocess.run([docker, "compose", "-f", str(ROOT / "compose.yaml"), "config",
                                 "--quiet"], check=False, capture_output=True, text=True, cwd=ROOT)
    finally:
        if created:
            env_file.unlink()
    assert result.returncode == 0, result.stderr


def test_the_image_runs_as_a_non_root_user_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    final_stage = dockerfile.rsplit("\nFROM ", 1)[1]
    assert final_stage.startswith("python:3.11-slim")
    assert re.search(r"^USER (?!root)\S+", final_stage, re.MULTILINE)
    assert "HEALTHCHECK" in final_stage and "/healthz" in final_stage


def test_the_systemd_unit_passes_systemd_analyze():
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here")
    unit = ROOT / "deploy" / "privacy-triage.service"
    result = subprocess.run([analyze, "verify", str(unit)], check=False, capture_output=True,
                            text=True)
    # The program path exists only on a host where it is installed; everything else must pass.
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip() and "is not executable" not in line]
    assert problems == []


def test_the_systemd_unit_upgrades_the_database_before_it_starts():
    unit = (ROOT / "deploy" / "privacy-triage.service").read_text()
    assert re.search(r"^ExecStartPre=.*privacy-triage db upgrade$", unit, re.MULTILINE)
    assert re.search(r"^ExecStart=.*privacy-triage run$", unit, re.MULTILINE)
    assert re.search(r"^User=(?!root)", unit, re.MULTILINE)
