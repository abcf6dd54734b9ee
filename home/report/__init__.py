"""The report (`ReportPage`) and its public action-plan tracker (`ActionPlanPage`):
their models, blocks, outline and status summary.

May import home.pages and home.hooks; never home.staff, home.demo, blog or events.
Events adds to it only through the ACTION_PLAN_INFORMED_BY hook.
"""
