"""Demo content for `manage.py load_demo`: the home app's pages, the report and
action plan, and the locally drawn images.

May import every other home package. Never imported at start-up in production:
only the `load_demo` command reaches it.
"""
