"""Admin screens for staff: the dashboard's "Needs you" panel, the action-plan
status screen, contact and enquiry messages, the mailing list, subject-access
downloads, staff avatars and the content checker's settings.

May import every other home package; nothing in home imports it except
home/wagtail_hooks.py (and the form page's submissions view, lazily).
"""
