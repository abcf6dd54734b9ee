"""Helpers for rendering forms accessibly (see templates/components/form_*.html)."""

from django import template

from home.abuse.antispam import HONEYPOT_FIELD

register = template.Library()


@register.filter
def visible_fields_without_honeypot(form):
    """The fields a person fills in: visible ones, minus the spam trap."""
    return [field for field in form.visible_fields() if field.name != HONEYPOT_FIELD]


@register.filter
def honeypot_field(form):
    """The bound spam-trap field, or None for forms without one."""
    return form[HONEYPOT_FIELD] if HONEYPOT_FIELD in form.fields else None


@register.filter
def field_anchor(field):
    """The id an error-summary link should point at: the input itself, or the
    first option of a radio or checkbox group (a fieldset has no input of its own)."""
    if getattr(field, "use_fieldset", False):
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.filter
def fields_with_errors(form):
    return [field for field in form if field.errors]
