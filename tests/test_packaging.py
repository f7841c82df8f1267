"""Deployment files: the lock covers pyproject, every process command exists, the image is
small and safe, and it builds where a Docker engine runs (skipped, saying why, elsewhere)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


def _pins() -> dict[str, str]:
    """requirements.txt as {normalised name: pinned version}."""
    pins = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[_norm(match[1])] = match[2]
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _cli_accepts(command: list[str]) -> None:
    """`smallcaps WORDS` (or `python -m bot.cli WORDS`) parses with the real CLI parser."""
    words = command[3:] if command[:3] == ["python", "-m", "bot.cli"] else command[1:]
    assert command[0] in ("smallcaps", "python"), command
    build_parser().parse_args(words)  # SystemExit(2) on an unknown subcommand


def test_lock_pins_every_runtime_dependency_within_its_range():
    pins = _pins()
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for text in declared:
        req = Requirement(text)
        assert _norm(req.name) in pins, f"{req.name} is not in requirements.txt: run make lock"
        assert req.specifier.contains(pins[_norm(req.name)], prereleases=True), \
            f"requirements.txt pins {req.name}=={pins[_norm(req.name)]}, outside {req.specifier}"


def test_procfile_processes_are_cli_commands():
    lines = [line for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()]
    kinds = {}
    for line in lines:
        kind, _, command = line.partition(":")
        kinds[kind] = command.split()
        _cli_accepts(kinds[kind])
    assert {"web", "worker", "clock"} <= kinds.keys()


def test_compose_runs_redis_and_each_process_on_it():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"redis", "web", "worker", "clock"} <= services.keys()
    assert services["redis"]["image"].startswith("redis:")
    for name in set(services) - {"redis"}:
        service = services[name]
        _cli_accepts(service["command"])
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0", name
        assert service["depends_on"]["redis"]["condition"] == "service_healthy", name
    assert services["web"]["command"] == ["smallcaps", "serve"]
    assert services["clock"]["command"] == ["smallcaps", "scheduler"]
    assert services["worker"]["command"] == ["smallcaps", "worker"]


def test_dockerfile_installs_the_lock_runs_unprivileged_and_checks_health():
    text = (ROOT / "Dockerfile").read_text()
    instructions = [line.split(None, 1) for line in text.splitlines()
                    if line.strip() and not line.startswith((" ", "#"))]
    names = [parts[0] for parts in instructions]
    assert "pip install -r requirements.txt" in text
    user = [parts[1].strip() for parts in instructions if parts[0] == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert names.index("USER") < names.index("CMD")
    assert "HEALTHCHECK" in names and "/healthz" in text
    for parts in instructions:
        if parts[0] == "COPY":
            for source in parts[1].split()[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: no such file"


def _docker_engine() -> str | None:
    """None when a Docker engine answers, else why the build test cannot run here."""
    if shutil.which("docker") is None:
        return "no docker client on this machine"
    info = subprocess.run(["docker", "info", "--format", "{{.ServerVersion}}"],
                          capture_output=True, text=True, timeout=30)
    if info.returncode != 0:
        return "docker client present but no Docker engine answers (docker info failed)"
    compose = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    if compose.returncode != 0:
        return "the docker compose plugin is not installed"
    return None


def test_image_builds_and_compose_validates_where_docker_runs():
    reason = _docker_engine()
    if reason:
        pytest.skip(reason)
    env = {"SLACK_BOT_TOKEN": "xoxb-validate", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    subprocess.run(["docker", "compose", "config", "--quiet"], cwd=ROOT, env=env, check=True,
                   timeout=60)
    subprocess.run(["docker", "build", "--quiet", "-t", "smallcaps:test", "."], cwd=ROOT,
                   check=True, timeout=900)
