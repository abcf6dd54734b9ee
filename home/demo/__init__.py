"""Demo content for `manage.py load_demo`: the home app's pages, the report and
action plan, and the locally drawn images.

May import home.pages and home.report. Never imported when the site starts: only
`load_demo` reaches it, through the DEMO_CONTENT hook (home/hooks.py).
"""
