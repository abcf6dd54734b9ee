"""Personal data: the registry of who holds what (subject access, erasure,
retention), versioned consent wording, the mailing list, the routing of staff
email, background-task records and spreadsheet safety for downloads.

May import home.pages and home.abuse; never blog, events, home.staff or home.demo.
Apps that hold personal data register with it; it never imports them.
"""
