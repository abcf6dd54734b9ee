"""Pages and site settings: the shared base page, home, standard and form pages
(with their messages' list, notification and part in subject access and
retention), the generic site settings, the StreamField blocks every app shares,
and the public search, robots.txt and form-timing views.

May import home.abuse, home.privacy and home.web (caching, links); never
home.report, home.staff, home.demo, blog or events, which build on it.
"""
