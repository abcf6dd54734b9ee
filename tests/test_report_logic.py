"""Pure rules of the report and action plan: anchors, outline, status summary, changes."""

from types import SimpleNamespace

from home.report.outline import (
    RESERVED_ANCHORS,
    build_outline,
    suggested_citation,
    unique_anchors,
)
from home.report.progress import (
    IMPLEMENTED,
    IN_PROGRESS,
    NOT_AGREED,
    NOT_STARTED,
    status_changes,
    summarise,
)


def heading(text, size="h2"):
    return SimpleNamespace(block_type="heading", value={"heading_text": text, "size": size})


def paragraph(html):
    return SimpleNamespace(block_type="paragraph", value=html)


def test_anchors_are_slugs_of_the_heading_text():
    assert unique_anchors(["Does Labour take it seriously?"]) == ["does-labour-take-it-seriously"]


def test_duplicate_headings_get_numbered_anchors_in_order():
    assert unique_anchors(["Method", "Results", "Method", "Method"]) == [
        "method",
        "results",
        "method-2",
        "method-3",
    ]


def test_headings_never_take_an_id_the_template_uses():
    anchors = unique_anchors(["Key findings", "Sources", "Contents"])
    assert not set(anchors) & RESERVED_ANCHORS
    assert anchors == ["key-findings-2", "sources-2", "contents-2"]


def test_heading_without_letters_falls_back_to_section():
    assert unique_anchors(["???", "!!!"]) == ["section", "section-2"]


def test_long_heading_anchor_is_cut_without_trailing_hyphen():
    anchor = unique_anchors(["word " * 40])[0]
    assert len(anchor) <= 60
    assert not anchor.endswith("-")


def test_outline_groups_blocks_under_level_two_headings():
    intro = paragraph("<p>Intro</p>")
    first = paragraph("<p>One</p>")
    second = paragraph("<p>Two</p>")
    outline = build_outline([intro, heading("One"), first, heading("Two"), second])

    assert [section.anchor for section in outline.sections] == ["", "one", "two"]
    assert outline.sections[0].blocks == [(intro, "")]
    assert [block for block, _ in outline.sections[2].blocks][1] is second


def test_contents_nest_level_three_under_level_two_and_skip_level_four():
    outline = build_outline(
        [
            heading("Findings"),
            heading("Experiences", "h3"),
            heading("Detail", "h4"),
            heading("Witnessed", "h3"),
            heading("Conclusion"),
        ]
    )
    assert [(entry.text, entry.anchor) for entry in outline.toc] == [
        ("Findings", "findings"),
        ("Conclusion", "conclusion"),
    ]
    assert [child.anchor for child in outline.toc[0].children] == ["experiences", "witnessed"]
    # The level-4 heading still gets an id of its own.
    anchors = [anchor for _, anchor in outline.sections[0].blocks if anchor]
    assert "detail" in anchors


def test_level_three_heading_before_any_level_two_is_listed_at_top_level():
    outline = build_outline([heading("Aside", "h3"), heading("Main")])
    assert [entry.anchor for entry in outline.toc] == ["aside", "main"]


def test_summary_counts_each_status_in_a_fixed_order():
    summary = summarise(
        [IMPLEMENTED, IN_PROGRESS, IMPLEMENTED, NOT_STARTED, NOT_AGREED, IN_PROGRESS]
    )
    assert [(count.status, count.count) for count in summary.counts] == [
        (NOT_STARTED, 1),
        (IN_PROGRESS, 2),
        (IMPLEMENTED, 2),
        (NOT_AGREED, 1),
    ]
    assert summary.total == 6
    assert summary.implemented == 2
    assert summary.text == "2 of 6 implemented"


def test_progress_percent_rounds_down_and_handles_an_empty_plan():
    assert summarise([IMPLEMENTED] * 11 + [IN_PROGRESS]).percent_implemented == 91
    empty = summarise([])
    assert empty.percent_implemented == 0
    assert empty.text == "0 of 0 implemented"


def test_not_agreed_counts_in_the_total():
    summary = summarise([IMPLEMENTED, NOT_AGREED])
    assert summary.text == "1 of 2 implemented"


def test_first_status_of_a_recommendation_is_recorded():
    assert status_changes({1: NOT_STARTED}, {}) == [(1, "", NOT_STARTED)]


def test_unchanged_status_is_not_recorded_again():
    assert status_changes({1: IN_PROGRESS, 2: IMPLEMENTED}, {1: IN_PROGRESS, 2: IN_PROGRESS}) == [
        (2, IN_PROGRESS, IMPLEMENTED)
    ]


def test_citation_names_organisation_year_title_and_url():
    assert (
        suggested_citation("LMN", 2020, "The Report", "https://example.org/report/")
        == "LMN (2020) The Report. Available at: https://example.org/report/"
    )
    assert suggested_citation("LMN", 2020, "The Report") == "LMN (2020) The Report."
