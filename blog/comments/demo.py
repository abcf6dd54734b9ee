"""Demo comments for `manage.py load_demo`: a few conversations, and a queue to moderate.

Every name is fictional and every address is at example.org. The loader does
nothing when there are no blog posts yet, and a second run changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from home.demo import registry as demo
from home.models import ConsentText
from home.privacy.consent import current_consent

from . import moderation
from .models import Comment, CommentSettings

# Demo-only wording for the settings, so that the held example has a reason.
DEMO_SUSPECT_WORDS = "traitor\ntraitors\nscam"

# (post index, name, text, status, reply to index in this list or None, hours ago)
DEMO_COMMENTS = [
    (
        0,
        "Amina R. (example)",
        "Thank you for writing this up. Our branch would like to take part in the next "
        "roundtable. Who should we contact?",
        moderation.APPROVED,
        None,
        72,
    ),
    (
        0,
        "Yusuf K. (example)",
        "Same here. It would help to have the date a few weeks ahead so that people can "
        "arrange time off work.",
        moderation.APPROVED,
        0,
        70,
    ),
    (
        0,
        "Fatima S. (example)",
        "Good to see this. The definition matters less than what the party does with it.",
        moderation.APPROVED,
        None,
        60,
    ),
    (
        1,
        "Ibrahim M. (example)",
        "Clear and well argued.\n\nI shared this with my CLP's equalities officer.",
        moderation.APPROVED,
        None,
        48,
    ),
    (
        1,
        "Sarah T. (example)",
        "As a non-Muslim member I found this useful. Is there a reading list?",
        moderation.APPROVED,
        None,
        40,
    ),
    (
        1,
        "Hassan A. (example)",
        "There is a list of the network's publications on the resources page.",
        moderation.APPROVED,
        4,
        38,
    ),
    (
        2,
        "Maryam B. (example)",
        "Will there be an online option for people outside London?",
        moderation.APPROVED,
        None,
        30,
    ),
    (
        2,
        "Omar D. (example)",
        "Is there a recording of the last session? I couldn't make it.",
        moderation.PENDING,
        None,
        5,
    ),
    (
        3,
        "Khadija N. (example)",
        "I'd like to volunteer. Details here: https://example.org/volunteer and "
        "https://example.org/about and https://example.org/contact",
        moderation.PENDING,
        None,
        3,
    ),
    (
        0,
        "Anonymous reader (example)",
        "Anyone who disagrees with this is a traitor to the party.",
        moderation.PENDING,
        None,
        2,
    ),
]


def _demo_settings():
    settings = CommentSettings.load()
    if not settings.suspect_words.strip():
        settings.suspect_words = DEMO_SUSPECT_WORDS
        settings.save()
    return settings


@demo.register("comments", order=35)
def load_comments(home_page, stdout):
    from .services import blog_page_model

    model = blog_page_model()
    posts = (
        list(model.objects.live().public().descendant_of(home_page).order_by("-first_published_at"))
        if model is not None
        else []
    )
    if not posts:
        stdout.write("No blog posts yet: skipped the demo comments.")
        return
    rules = _demo_settings().rules()
    consent = current_consent(ConsentText.COMMENT)
    now = timezone.now()
    made = []
    created_count = 0
    for index, (post_index, name, text, status, reply_to, hours_ago) in enumerate(DEMO_COMMENTS):
        page = posts[post_index % len(posts)]
        parent = made[reply_to] if reply_to is not None else None
        created_at = now - timedelta(hours=hours_ago)
        reasons = []
        if status == moderation.PENDING:
            reasons = list(moderation.decide(text, rules).reasons)
        comment, created = Comment.objects.get_or_create(
            page_id=page.pk,
            name=name,
            fingerprint=moderation.fingerprint(text),
            defaults={
                "parent": parent,
                "email": f"demo-commenter-{index + 1}@example.org",
                "text": text,
                "status": status,
                "reasons": reasons,
                "created_at": created_at,
                "decided_at": created_at + timedelta(hours=1)
                if status == moderation.APPROVED
                else None,
                "consent": consent,
                "consent_given_at": created_at,
            },
        )
        made.append(comment)
        created_count += int(created)
    stdout.write(f"Demo comments: {created_count} added ({len(DEMO_COMMENTS)} in the set).")
