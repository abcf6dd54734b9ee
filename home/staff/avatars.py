"""Staff avatars in the admin without an outside avatar service.

Wagtail looks avatars up on Gravatar by default, which sends a hash of each staff
member's email address (an identifier anyone can match against a list of
addresses) to a third party whenever an admin page shows them. That lookup is off
(WAGTAIL_GRAVATAR_PROVIDER_URL = None). A staff member who uploaded a picture
(Account → Profile) is shown with it; anyone else with their initials, drawn as a
small inline SVG that the admin's CSP allows (img-src data:) and that never leaves
the page.
"""

from urllib.parse import quote

from django.utils.html import escape

# White on the site's dark red (--red-dark): a contrast ratio far above WCAG's 4.5:1.
BACKGROUND = "#8c0a26"
FOREGROUND = "#ffffff"


def initials_of(user):
    """Up to two capital letters: from the first and last names, else the username."""
    words = f"{getattr(user, 'first_name', '')} {getattr(user, 'last_name', '')}".split()
    if not words:
        words = (user.get_username() or "?").replace(".", " ").replace("_", " ").split()
    letters = [word[0] for word in words if word[:1].isalnum()] or ["?"]
    if len(letters) > 2:
        letters = [letters[0], letters[-1]]
    return "".join(letters).upper()


def initials_svg(initials):
    """A square SVG with `initials` centred on the background colour."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" fill="{BACKGROUND}"/>'
        '<text x="50" y="50" dy="0.35em" text-anchor="middle" '
        'font-family="system-ui, sans-serif" font-size="42" font-weight="600" '
        f'fill="{FOREGROUND}">{escape(initials)}</text></svg>'
    )


def avatar_url(user, size):
    """For Wagtail's `get_avatar_url` hook: None for a user with an uploaded picture
    (Wagtail then shows it), else a data: URL of their initials."""
    profile = getattr(user, "wagtail_userprofile", None)
    if profile is not None and profile.avatar:
        return None
    if not hasattr(user, "get_username"):
        return None
    return "data:image/svg+xml," + quote(initials_svg(initials_of(user)), safe="")
