"""Admin screens for staff: the dashboard's "Needs you" panel, the action-plan
status screen, contact and enquiry messages, the mailing list, subject-access
downloads, staff avatars and the content checker's settings.

May import home.pages, home.report, home.privacy and home.hooks; only
home/wagtail_hooks.py imports it within home (blog and events use the dashboard's
Part and Row).
"""
