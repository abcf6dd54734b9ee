"""`make audit`: the pip-audit wrapper fails on a vulnerability and never mistakes
"nothing could be checked" (a closed network) for "nothing was found"."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_a_vulnerable_dependency_is_reported_with_its_fix():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-2099-1", "fix_versions": ["5.2.1"]}],
            },
            {"name": "nh3", "version": "0.3.0", "vulns": []},
        ]
    }
    vulnerable, audited, skipped = audit.summarise(report)
    assert vulnerable == [("django", "5.2.0", "PYSEC-2099-1", "5.2.1")]
    assert audited == ["django", "nh3"]
    assert skipped == []


def test_when_every_dependency_was_skipped_nothing_counts_as_audited():
    reason = "Dependency not found on PyPI and could not be audited"
    report = {
        "dependencies": [
            {"name": "django", "version": "5.2.19", "skip_reason": reason},
            {"name": "wagtail", "version": "7.4.4", "skip_reason": reason},
        ]
    }
    vulnerable, audited, skipped = audit.summarise(report)
    assert (vulnerable, audited) == ([], [])
    assert skipped == ["django", "wagtail"]
