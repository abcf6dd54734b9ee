"""Pages and site settings: the shared base page, home, standard and form pages,
the generic site settings, the StreamField blocks every app shares, and the public
search, robots.txt and form-timing views.

The lowest layer of the site: `blog`, `events` and the other home packages build on
it. It may import home.abuse (spam defences on forms), home.privacy (routing
settings, spreadsheet safety) and home.web.caching; never blog, events, home.staff
or home.demo.
"""
