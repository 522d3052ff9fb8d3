"""The dependency audit CI runs (tools/dependency_audit.py over pip-audit): a known
vulnerability fails it, and an audit that could check nothing says so rather than passing in
silence (pip-audit alone prints "No known vulnerabilities found" then)."""

from __future__ import annotations

import importlib.util

import pytest

from tools import dependency_audit

OFFLINE = {"dependencies": [
    {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    {"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be audited"},
], "fixes": []}
CLEAN = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []}], "fixes": []}
FOUND = {"dependencies": [
    {"name": "flask", "version": "3.1.3", "vulns": []},
    {"name": "jinja2", "version": "3.0.0", "vulns": [
        {"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": ["CVE-2024-22195"],
         "description": "..."}]},
], "fixes": []}


def test_an_audit_that_checked_nothing_says_so():
    status, lines = dependency_audit.verdict(dependency_audit.read(OFFLINE))
    assert status == 0
    assert "DEPENDENCIES NOT AUDITED" in lines[0] and "none of the 2 installed packages" in lines[0]
    strict, _ = dependency_audit.verdict(dependency_audit.read(OFFLINE), strict=True)
    assert strict == 1
    status, lines = dependency_audit.verdict(None, "pip-audit failed (ConnectionError)")
    assert status == 0 and "ConnectionError" in lines[0]


def test_a_clean_audit_passes_and_a_vulnerability_fails():
    status, lines = dependency_audit.verdict(dependency_audit.read(CLEAN))
    assert status == 0 and lines[0].startswith("pip-audit: 1 packages audited")
    status, lines = dependency_audit.verdict(dependency_audit.read(FOUND))
    assert status == 1
    assert "VULNERABLE: jinja2 3.0.0: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in "\n".join(lines)


def test_an_accepted_advisory_is_listed_not_failed(monkeypatch):
    monkeypatch.setitem(dependency_audit.ACCEPTED, "CVE-2024-22195", "not reachable here")
    status, lines = dependency_audit.verdict(dependency_audit.read(FOUND))
    assert status == 0
    assert "  accepted: jinja2 CVE-2024-22195: not reachable here" in lines


@pytest.mark.parametrize("tool", ["bandit", "pip_audit"])
def test_the_tools_are_installed_with_the_test_extra(tool):
    assert importlib.util.find_spec(tool) is not None
