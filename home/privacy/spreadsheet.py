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


def formula_label_error(label):
    """The message refusing a question label a spreadsheet would read as a formula,
    or None. Labels become column headings in every download of the answers."""
    if isinstance(label, str) and label.startswith(FORMULA_PREFIXES):
        return (
            "A question's label is a column heading in downloads, and spreadsheet programs "
            "treat a cell starting with =, +, -, @ or a tab as a formula. Start the label "
            "with a word instead."
        )
    return None


def check_question_labels(formset):
    """Add `formula_label_error` to each question in an admin form's questions formset."""
    if formset is None:
        return
    for form in formset.forms:
        if not form.is_valid() or form.cleaned_data.get("DELETE"):
            continue
        error = formula_label_error(form.cleaned_data.get("label"))
        if error:
            form.add_error("label", error)


class FormulaSafeExportMixin:
    """For a Wagtail listing view with spreadsheet downloads (SpreadsheetExportMixin):
    every cell and every column heading goes through `neutralise_formula`, so CSV and
    XLSX alike show what was typed and never run it. Headings matter too: on form and
    event pages they are question labels that Editors write.

    Put it before the view class, so that it wraps Wagtail's own methods.
    """

    def get_heading(self, queryset, field):
        return neutralise_formula(super().get_heading(queryset, field))

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_formula(super().preprocess_field_value(field, value, export_format))
