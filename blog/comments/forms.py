"""The public comment and report forms."""

from django import forms

from home.abuse.antispam import SpamProtectionMixin
from home.models import ConsentText
from home.privacy.consent import current_consents
from home.privacy.mailing_list_forms import add_opt_in

from . import moderation
from .models import MAX_COMMENT_LENGTH, Comment

REPLY_GONE = "The comment you are replying to is no longer available. Your comment was not sent."


class CommentForm(SpamProtectionMixin, forms.Form):
    """Name, email, comment, optional reply-to, the consent box (never pre-ticked) and the
    optional mailing-list box."""

    name = forms.CharField(
        label="Your name",
        max_length=80,
        help_text="Shown with your comment.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="Never shown. Only our moderators see it.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    text = forms.CharField(
        label="Your comment",
        max_length=MAX_COMMENT_LENGTH,
        help_text="Plain text, up to 3,000 characters. Comments with several links take "
        "longer to appear.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": "Please tick the box to agree, or we can't take your comment."},
    )

    def __init__(self, *args, page=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.page = page
        consents = current_consents(ConsentText.COMMENT, ConsentText.MAILING_LIST)
        self.consent_text = consents[ConsentText.COMMENT]
        self.fields["consent"].label = self.consent_text.text
        # Separate from consent, optional and never pre-ticked (home/privacy/mailing_list_forms.py).
        add_opt_in(
            self,
            help_text="Separate from the box above: you can comment without it.",
            consent=consents[ConsentText.MAILING_LIST],
        )
        self.fields["text"].error_messages["max_length"] = (
            "Please keep your comment to 3,000 characters or fewer (it has %(show_value)d)."
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Please tell us your name.", code="required")
        return name

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("Please write your comment.", code="required")
        return text

    def clean(self):
        cleaned = super().clean()
        reply_to = cleaned.get("reply_to")
        cleaned["parent"] = None
        if reply_to:
            parent = (
                Comment.objects.filter(
                    pk=reply_to, page_id=getattr(self.page, "pk", None), status=moderation.APPROVED
                )
                .only("pk", "parent_id", "page_id")
                .first()
            )
            if parent is None:
                raise forms.ValidationError(REPLY_GONE, code="reply_gone")
            # One level of replies: answering a reply joins its thread.
            cleaned["parent"] = parent.parent if parent.parent_id else parent
        return cleaned


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="Why should we look at this comment? (optional)",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
