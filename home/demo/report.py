"""Demo content: the November 2020 report and an example action plan.

Facts come from docs/CONTENT.md (the project's content brief); the wording is
ours. The action plan's recommendations, owners, notes and dates are example
text, and the page says so: the real list is not public to us.
"""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from wagtail.documents import get_document_model

from home.demo import registry as demo
from home.report.models import (
    ActionPlanPage,
    Recommendation,
    RecommendationStatusChange,
    ReportPage,
)
from home.report.progress import IMPLEMENTED, IN_PROGRESS, NOT_AGREED, NOT_STARTED

REPORT_TITLE = "Islamophobia and the Muslim Experience: The Labour Party Report"
PDF_TITLE = "Islamophobia and the Muslim Experience (PDF, demo copy)"
SURVEY_SOURCE = "LMN survey of 422 members, supporters and elected officials, July–August 2020"

FINDINGS = [
    (29, "had directly experienced Islamophobia within the Labour Party (more than 1 in 4)"),
    (37, "had directly witnessed Islamophobia within the party (more than 1 in 3)"),
    (44, "did not believe the party takes Islamophobia seriously"),
    (48, "had no confidence in the complaints procedure to deal with Islamophobia effectively"),
    (59, "did not feel well represented by the party leadership"),
    (55, "did not trust the leadership to tackle Islamophobia effectively"),
    (56, "felt the shadow cabinet did not represent Muslims effectively"),
    (46, "disagreed that Labour represents the Muslim community effectively (29% agreed)"),
]

SOURCES = [
    "Labour Muslim Network, Islamophobia and the Muslim Experience: The Labour Party Report, "
    "14 November 2020.",
    "LabourList, coverage of the report, November 2020.",
    "ITV News, coverage of the report, 13 November 2020.",
    "Al Jazeera, coverage of the report, 14 November 2020.",
]


def _heading(text, size="h2"):
    return ("heading", {"heading_text": text, "size": size})


def _para(html):
    return ("paragraph", html)


BODY = [
    _heading("Introduction"),
    _para(
        "<p>This report sets out what Muslim members and supporters of the Labour Party told "
        "us about Islamophobia inside the party: what they had experienced or seen, whether "
        "they believe the party takes it seriously, and how much confidence they have in the "
        "way complaints are handled. It was published during Islamophobia Awareness Month "
        '2020.<a href="#source-1">[1]</a></p>'
    ),
    _heading("Foreword"),
    _para(
        "<p>The report opens with a foreword by Afzal Khan MP, Member of Parliament for "
        "Manchester Gorton.</p>"
    ),
    _heading("About the Labour Muslim Network"),
    _para(
        "<p>The Labour Muslim Network is a network of Muslim members and supporters of the "
        "Labour Party. It was formally launched at the House of Commons on 11 December 2017. "
        "This report was produced by the network’s research unit.</p>"
    ),
    _heading("Methodology"),
    (
        "key_facts",
        {
            "facts": [
                {"label": "Respondents", "value": "422"},
                {
                    "label": "Who took part",
                    "value": "Muslim members and supporters of the party, and elected officials",
                },
                {"label": "Fieldwork", "value": "About two months, July–August 2020"},
                {"label": "Produced by", "value": "LMN’s research unit"},
            ]
        },
    ),
    _para(
        "<p>The findings come from a survey of 422 Muslim members and supporters of the "
        "Labour Party, together with elected officials, carried out over about two months in "
        "the summer of 2020. Figures are shares of those who answered.</p>"
    ),
    _heading("Definition"),
    (
        "definition",
        {
            "term": "Islamophobia",
            "definition": (
                "<p>The report uses the working definition of Islamophobia drawn up by the "
                "All-Party Parliamentary Group (APPG) on British Muslims, which Labour’s "
                "National Executive Committee adopted in March 2019.</p>"
            ),
            "source": "APPG on British Muslims; adopted by Labour’s NEC, March 2019",
            "source_url": "",
        },
    ),
    _heading("Key insights"),
    _para(
        "<p>More than one in four respondents (29%) had directly experienced Islamophobia "
        "within the party, and more than one in three (37%) had directly witnessed it. The "
        'key findings above give each headline figure with its source.<a href="#source-1">'
        "[1]</a></p>"
    ),
    _heading("Direct experiences"),
    _para(
        "<p>This section of the report looks at the experiences behind those figures: where "
        "Islamophobia was met, and how it affected people’s involvement in the party.</p>"
    ),
    _heading("Does Labour take it seriously?"),
    _para(
        "<p>44% of respondents did not believe the party takes Islamophobia seriously; 59% did "
        "not feel well represented by the party leadership, and 55% did not trust the "
        'leadership to tackle Islamophobia effectively.<a href="#source-1">[1]</a></p>'
    ),
    _heading("Complaints and disciplinary process"),
    _para(
        "<p>48% of respondents had no confidence in the party’s complaints procedure to deal "
        'with Islamophobia effectively.<a href="#source-1">[1]</a></p>'
    ),
    _heading("Conclusion"),
    _para(
        "<p>The survey shows a gap between the party’s stated commitment and its Muslim "
        "members’ experience, and points to the complaints process and representation as the "
        "places to start.</p>"
    ),
    _heading("Initial recommendations"),
    _para(
        "<p>The report closes with initial recommendations to the party. The party leader and "
        "deputy leader welcomed the report, and after meeting the network with the general "
        "secretary they agreed the recommendations in full and agreed to develop an action "
        "plan. The action plan page tracks where each recommendation stands.</p>"
    ),
]

# (number, title, owner, status, note, [(date, status), ...]); EXAMPLE TEXT.
RECOMMENDATIONS = [
    (
        1,
        "Adopt a code of conduct on Islamophobia",
        "National Executive Committee",
        IMPLEMENTED,
        "Example note: a code of conduct was approved and published.",
        [("2021-01-20", NOT_STARTED), ("2021-03-16", IN_PROGRESS), ("2021-07-20", IMPLEMENTED)],
    ),
    (
        2,
        "Create an independent complaints process",
        "General Secretary",
        IMPLEMENTED,
        "Example note: the independent process was approved.",
        [("2021-01-20", NOT_STARTED), ("2021-04-12", IN_PROGRESS), ("2021-07-20", IMPLEMENTED)],
    ),
    (
        3,
        "Provide Islamophobia awareness training for staff",
        "General Secretary",
        IN_PROGRESS,
        "Example note: training materials drafted with community organisations.",
        [("2021-01-20", NOT_STARTED), ("2021-03-16", IN_PROGRESS)],
    ),
    (
        4,
        "Offer training to constituency party officers",
        "Regional offices",
        IN_PROGRESS,
        "Example note: first sessions held in two regions.",
        [("2021-01-20", NOT_STARTED), ("2022-02-01", IN_PROGRESS)],
    ),
    (
        5,
        "Publish regular figures on Islamophobia complaints",
        "Governance and Legal Unit",
        NOT_STARTED,
        "",
        [("2021-01-20", NOT_STARTED)],
    ),
    (
        6,
        "Set time limits for handling complaints",
        "Governance and Legal Unit",
        IN_PROGRESS,
        "Example note: target times under discussion.",
        [("2021-01-20", NOT_STARTED), ("2021-09-27", IN_PROGRESS)],
    ),
    (
        7,
        "Support Muslim members standing for selection",
        "Candidates team",
        IN_PROGRESS,
        "",
        [("2021-01-20", NOT_STARTED), ("2022-05-09", IN_PROGRESS)],
    ),
    (
        8,
        "Hold listening events with Muslim members",
        "Labour Muslim Network with the party",
        IMPLEMENTED,
        "Example note: a series of roundtables took place in early 2021.",
        [("2021-01-20", IN_PROGRESS), ("2021-02-26", IMPLEMENTED)],
    ),
    (
        9,
        "Set up a task force to draw up the action plan",
        "Party leadership and LMN",
        IMPLEMENTED,
        "Example note: the task force was agreed after the roundtables.",
        [("2021-01-20", NOT_STARTED), ("2021-03-01", IMPLEMENTED)],
    ),
    (
        10,
        "Review progress with the network every year",
        "General Secretary",
        NOT_STARTED,
        "",
        [("2021-01-20", NOT_STARTED)],
    ),
    (
        11,
        "Issue guidance on online abuse and social media",
        "Digital team",
        IN_PROGRESS,
        "Example note: draft guidance shared for comment.",
        [("2021-01-20", NOT_STARTED), ("2022-10-03", IN_PROGRESS)],
    ),
    (
        12,
        "Commission an independent review of past complaints",
        "National Executive Committee",
        NOT_AGREED,
        "Example note: the party has not agreed to this recommendation.",
        [("2021-01-20", NOT_STARTED), ("2021-11-15", NOT_AGREED)],
    ),
]


def build_demo_pdf():
    """A small, real two-page PDF drawn with Pillow (text as images), marked as a demo copy."""
    from PIL import Image, ImageDraw, ImageFont

    def font(size):
        return ImageFont.load_default(size=size)

    pages = []
    width, height = 1240, 1754  # A4 at 150 dpi
    cover = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(cover)
    draw.rectangle((0, 0, width, 40), fill=(179, 0, 45))
    y = 300
    for line in ["Islamophobia and the", "Muslim Experience:", "The Labour Party Report"]:
        draw.text((100, y), line, fill="black", font=font(72))
        y += 100
    byline = "Labour Muslim Network · 14 November 2020"
    draw.text((100, y + 60), byline, fill="black", font=font(36))
    draw.text(
        (100, height - 200),
        "Demonstration copy generated for the demo site.",
        fill=(90, 90, 102),
        font=font(30),
    )
    pages.append(cover)

    figures = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(figures)
    draw.text((100, 120), "Key findings", fill="black", font=font(56))
    draw.text((100, 200), f"Source: {SURVEY_SOURCE}", fill=(90, 90, 102), font=font(22))
    y = 300
    for figure, label in FINDINGS:
        draw.text((100, y), f"{figure}%", fill=(179, 0, 45), font=font(48))
        draw.text((260, y + 14), label[:70], fill="black", font=font(24))
        draw.rectangle((260, y + 56, 260 + 8 * figure, y + 72), fill=(179, 0, 45))
        y += 150
    pages.append(figures)

    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", resolution=150, save_all=True, append_images=pages[1:])
    return buffer.getvalue()


def get_or_create_pdf():
    Document = get_document_model()
    document = Document.objects.filter(title=PDF_TITLE).first()
    if document is None:
        document = Document(title=PDF_TITLE)
        document.file.save("lmn-islamophobia-report-2020.pdf", ContentFile(build_demo_pdf()), False)
        document._set_document_file_metadata()
        document.save()
    return document


@demo.register("report", order=20)
def load_report(home_page, stdout):
    """Create /report/ and /report/action-plan/ under the home page, once."""
    report = ReportPage.objects.child_of(home_page).first()
    if report is None:
        report = ReportPage(
            title=REPORT_TITLE,
            slug="report",
            show_in_menus=True,
            publication_date=datetime.date(2020, 11, 14),
            authors="Labour Muslim Network research unit",
            foreword_credit="Foreword by Afzal Khan MP (Manchester Gorton)",
            summary=(
                "<p>What 422 Muslim members, supporters and elected officials told us in the "
                "summer of 2020 about Islamophobia in the Labour Party, and what we asked the "
                "party to do about it.</p>"
            ),
            listing_summary=(
                "Our November 2020 survey of 422 Muslim members and supporters on "
                "Islamophobia in the Labour Party."
            ),
            sample_size=422,
            findings_caption="Share of survey respondents",
            key_findings=[
                ("finding", {"figure": figure, "label": label, "source": SURVEY_SOURCE})
                for figure, label in FINDINGS
            ],
            body=BODY,
            sources=[("source", {"text": text, "url": ""}) for text in SOURCES],
            pdf_document=get_or_create_pdf(),
        )
        home_page.add_child(instance=report)
        report.save_revision().publish()
        stdout.write("Created the report page.")

    if ActionPlanPage.objects.child_of(report).exists():
        return
    plan = ActionPlanPage(
        title="Action plan",
        slug="action-plan",
        show_in_menus=True,
        intro=(
            "<p>After the report, the party leadership agreed its recommendations in full and "
            "agreed to develop an action plan. We track each recommendation here in public, "
            "and record every change of status.</p>"
        ),
        listing_summary="Where each of the report’s recommendations stands, and when it changed.",
        example_content=True,
    )
    for number, title, owner, status, note, history in RECOMMENDATIONS:
        plan.recommendations.add(
            Recommendation(
                number=number,
                title=title,
                description=(
                    f"Example text: recommendation {number} as it might be worded in an "
                    "action plan. Replace it with the agreed wording."
                ),
                owner=owner,
                status=status,
                progress_note=note,
                last_changed=datetime.date.fromisoformat(history[-1][0]),
                sort_order=number,
            )
        )
    report.add_child(instance=plan)
    _add_history(plan)
    plan.save_revision().publish()
    stdout.write("Created the action plan with example recommendations.")


def _add_history(plan):
    """Past status changes written directly: they predate this site."""
    by_number = {rec.number: rec for rec in Recommendation.objects.filter(page=plan)}
    rows = []
    for number, _title, _owner, _status, note, history in RECOMMENDATIONS:
        previous = ""
        for day, status in history:
            when = timezone.make_aware(
                datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(12))
            )
            rows.append(
                RecommendationStatusChange(
                    recommendation=by_number[number],
                    from_status=previous,
                    to_status=status,
                    changed_at=when,
                    note=note if status == history[-1][1] else "",
                )
            )
            previous = status
    RecommendationStatusChange.objects.bulk_create(rows)
