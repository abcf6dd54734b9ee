"""Spreadsheet safety for every download of what people sent us (registrations,
form messages, the mailing list), CSV and XLSX alike."""

# Spreadsheet programs treat a cell starting with one of these as a formula
# (tab and carriage return too, because some strip them first).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Make a text cell safe to open in Excel, LibreOffice or Google Sheets.

    Text that starts like a formula gets a leading apostrophe, so it is shown
    as typed and never run (OWASP's advice on CSV injection). Numbers, dates
    and empty values are left alone.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
