"""`make audit`, part one: pip-audit over the installed environment (the versions
requirements*.txt resolved to), failing on any known vulnerability.

pip-audit asks PyPI's per-release JSON API for vulnerability data. Where only the
package index is reachable (a closed network, a mirror) every dependency comes
back "not found on PyPI" and pip-audit would still say "No known vulnerabilities
found", having checked nothing. This script tells those cases apart:

- vulnerabilities found: list them, exit 1;
- nothing could be audited (offline): say so plainly, exit 0, so that `make test`
  does not fail because the network is closed;
- otherwise: say how many packages were audited (and which were skipped), exit 0.
"""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

OFFLINE_ADVICE = (
    "pip-audit: SKIPPED - PyPI's vulnerability data could not be reached from here "
    "(only the package index is), so no dependency was checked. Run `make audit` "
    "on a machine with internet access before a release."
)


def summarise(report):
    """(vulnerable, audited, skipped) from pip-audit's JSON report: `vulnerable` is
    a list of (name, version, vulnerability id, fixed versions)."""
    vulnerable, audited, skipped = [], [], []
    for dependency in report.get("dependencies", []):
        if dependency.get("skip_reason"):
            skipped.append(dependency["name"])
            continue
        audited.append(dependency["name"])
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            vulnerable.append((dependency["name"], dependency["version"], vuln["id"], fixes))
    return vulnerable, audited, skipped


def main():
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "pip-audit.json"
        command = [
            str(Path(sys.executable).with_name("pip-audit")),
            "--progress-spinner",
            "off",
            "--skip-editable",
            "--format",
            "json",
            "--output",
            str(output),
        ]
        try:
            result = subprocess.run(  # noqa: S603 (our own tool, fixed arguments)
                command, capture_output=True, text=True, timeout=600, check=False
            )
        except subprocess.TimeoutExpired:
            print(OFFLINE_ADVICE + " (pip-audit timed out)")
            return 0
        if not output.exists() or not output.read_text().strip():
            if "ConnectionError" in result.stderr or "NameResolutionError" in result.stderr:
                print(OFFLINE_ADVICE)
                return 0
            print(result.stdout + result.stderr)
            print("pip-audit failed without a report.")
            return 1
        report = json.loads(output.read_text())

    vulnerable, audited, skipped = summarise(report)
    if vulnerable:
        print("pip-audit: known vulnerabilities in installed packages:")
        for name, version, vuln_id, fixes in vulnerable:
            print(f"  {name} {version}: {vuln_id} (fixed in: {fixes})")
        return 1
    if not audited:
        print(OFFLINE_ADVICE)
        return 0
    print(f"pip-audit: {len(audited)} packages audited, no known vulnerabilities.")
    if skipped:
        print(f"pip-audit: not audited (not on PyPI): {', '.join(sorted(skipped))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
