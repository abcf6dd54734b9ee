"""Builders for report and action-plan pages used by the report tests."""

import datetime

from django.core.files.base import ContentFile

from wagtail.documents import get_document_model

from home.demo.report import build_demo_pdf
from home.report.models import ActionPlanPage, Recommendation, ReportPage


def make_pdf(title="Report PDF"):
    Document = get_document_model()
    document = Document(title=title)
    document.file.save("report.pdf", ContentFile(build_demo_pdf()), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def make_report(parent, **fields):
    values = {
        "title": "A report",
        "slug": "report",
        "publication_date": datetime.date(2020, 11, 14),
        "key_findings": [
            ("finding", {"figure": 29, "label": "had experienced it", "source": "Survey A"}),
            (
                "finding",
                {
                    "figure": 37.5,
                    "label": "had witnessed it",
                    "source": "Survey B",
                    "source_url": "https://example.org/b",
                },
            ),
        ],
        "body": [
            ("heading", {"heading_text": "Methodology", "size": "h2"}),
            ("paragraph", "<p>How we asked.</p>"),
            ("heading", {"heading_text": "Sample", "size": "h3"}),
            ("paragraph", "<p>Who answered.</p>"),
            ("heading", {"heading_text": "Methodology", "size": "h2"}),
            ("paragraph", "<p>A second section with the same title.</p>"),
            ("heading", {"heading_text": "Key findings", "size": "h2"}),
            ("paragraph", "<p>A heading that clashes with a fixed part of the page.</p>"),
        ],
    }
    values.update(fields)
    report = ReportPage(**values)
    parent.add_child(instance=report)
    report.save_revision().publish()
    return report


def make_plan(report, statuses, **fields):
    """An action plan under `report` with one recommendation per status, published."""
    plan = ActionPlanPage(title="Action plan", slug="action-plan", **fields)
    for number, status in enumerate(statuses, start=1):
        plan.recommendations.add(
            Recommendation(
                number=number,
                title=f"Recommendation title {number}",
                description=f"What recommendation {number} asks for.",
                owner="General Secretary",
                status=status,
                progress_note=f"Note {number}",
                evidence=[
                    ("link", {"title": f"Evidence {number}", "url": "https://example.org/e"})
                ],
                sort_order=number,
            )
        )
    report.add_child(instance=plan)
    plan.save_revision().publish()
    return plan


def set_statuses(plan, statuses_by_number, publish=True, user=None):
    """Change statuses on the latest revision and save (and publish) it, as editors do."""
    draft = plan.get_latest_revision_as_object()
    items = list(draft.recommendations.all())
    for item in items:
        if item.number in statuses_by_number:
            item.status = statuses_by_number[item.number]
    draft.recommendations.set(items)
    revision = draft.save_revision(user=user)
    if publish:
        revision.publish(user=user)
    return revision
