"""Personal data: the registry that subject access, erasure and retention run
through (fed by the PERSONAL_DATA and RETENTION_RULES hooks), versioned consent
wording, the mailing list, the routing of staff email, background-task records,
spreadsheet safety for downloads and the permission policies and columns every
admin screen of personal data is built from (admin_generic.py).

The bottom of home with home.web.links: may import home.hooks and home.web.links
only. The parts that hold personal data (home.pages, home.abuse, blog, events)
import it, never the other way round.
"""
