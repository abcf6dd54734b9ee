"""The report (`ReportPage`) and its public action-plan tracker (`ActionPlanPage`):
their models, blocks, outline and status summary.

May import home.pages; never blog, events, home.staff or home.demo. The apps above
add to it only through Wagtail hooks (e.g. what informed a recommendation).
"""
