"""Audit the installed Python packages for known vulnerabilities with pip-audit, and say plainly
what was and was not checked.

    python tools/dependency_audit.py            # from the project's virtual environment

Exit status: 1 if any installed package has a known vulnerability that is not accepted below
(with its reason, also listed in SECURITY.md); otherwise 0. pip-audit asks PyPI's JSON API (or
OSV) about each package; where that database cannot be reached (an offline CI machine, or a
package index mirror without the per-version JSON API), pip-audit itself reports "No known
vulnerabilities found" having checked nothing. This script says instead, in capitals, that the
packages were NOT audited, and exits 0 unless LOCATOR_AUDIT_STRICT=1 asks it to fail then too.
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404  # runs pip-audit, a fixed command line
import sys
from dataclasses import dataclass, field

# Advisory id → why it is accepted for now (keep SECURITY.md's list the same).
ACCEPTED: dict[str, str] = {}

TIMEOUT_SECONDS = 600


@dataclass
class Audit:
    audited: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (package, why)
    vulnerable: list[tuple[str, str, str, str]] = field(default_factory=list)  # pkg, ver, id, fix
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (package, advisory id)


def read(report: dict) -> Audit:
    """What pip-audit's JSON report (`--format json`) says was checked and found."""
    audit = Audit()
    for dependency in report.get("dependencies", []):
        name = dependency["name"]
        if "skip_reason" in dependency:
            audit.skipped.append((name, dependency["skip_reason"]))
            continue
        audit.audited.append(name)
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            accepted = [i for i in ids if i in ACCEPTED]
            if accepted:
                audit.accepted.append((name, accepted[0]))
            else:
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
                audit.vulnerable.append((name, dependency.get("version", "?"), vuln["id"], fixes))
    return audit


def verdict(audit: Audit | None, problem: str = "", strict: bool = False) -> tuple[int, list[str]]:
    """The exit status and the lines to print."""
    if audit is None or not audit.audited:
        why = problem or (
            f"it answered for none of the {len(audit.skipped)} installed packages (the first "
            f"said: {audit.skipped[0][1] if audit.skipped else 'nothing'})"
        )
        return (1 if strict else 0), [
            "pip-audit: DEPENDENCIES NOT AUDITED: pip-audit could not reach its vulnerability "
            f"database: {why}.",
            "  This machine cannot check for known-vulnerable packages (see SECURITY.md, "
            "'Dependency audit'); run `python tools/dependency_audit.py` where PyPI's JSON API "
            "is reachable.",
        ]
    lines = [
        f"pip-audit: {len(audit.audited)} packages audited, {len(audit.skipped)} not found in "
        f"the vulnerability database, {len(audit.vulnerable)} known vulnerabilities, "
        f"{len(audit.accepted)} accepted (SECURITY.md)."
    ]
    lines += [f"  not audited: {name}: {why}" for name, why in audit.skipped]
    lines += [f"  accepted: {name} {vid}: {ACCEPTED.get(vid, '')}" for name, vid in audit.accepted]
    lines += [
        f"  VULNERABLE: {name} {version}: {vid} (fixed in {fixes})"
        for name, version, vid, fixes in audit.vulnerable
    ]
    return (1 if audit.vulnerable else 0), lines


def main() -> int:
    strict = os.environ.get("LOCATOR_AUDIT_STRICT", "").lower() in ("1", "true", "yes")
    command = [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner",
               "off", "--skip-editable"]
    try:
        done = subprocess.run(  # nosec B603  # a fixed command line, no shell
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
        report = json.loads(done.stdout) if done.stdout.strip() else None
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        problem = "" if report is not None else f"pip-audit failed ({last})"
    except subprocess.TimeoutExpired:
        report, problem = None, f"pip-audit did not finish in {TIMEOUT_SECONDS} s"
    except json.JSONDecodeError:
        report, problem = None, "pip-audit's report could not be read"
    status, lines = verdict(read(report) if report is not None else None, problem, strict)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
