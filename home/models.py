"""The `home` app's models, as Django loads them.

Each model lives with the concern that owns it (home/pages, home/report,
home/privacy, home/abuse); this module only gathers them so that Django, the
migrations and `from home.models import ...` elsewhere find them in one place.
Existing migrations name `home.models._new_unsubscribe_token` and
`home.models.SpamProtectedFormMixin`, so those stay importable from here.
"""

from home.abuse.models import DailySalt, RateLimitCounter
from home.pages.models import (
    BasePage,
    FormField,
    FormPage,
    HomePage,
    SiteSettings,
    SpamProtectedFormMixin,
    StandardPage,
    is_public,
)
from home.privacy.models import (
    ConsentText,
    MailingListSubscriber,
    PrivacyAction,
    _new_unsubscribe_token,
)
from home.report.models import (
    ActionPlanPage,
    Recommendation,
    RecommendationStatusChange,
    ReportPage,
    ReportRelatedPage,
)

__all__ = [
    "ActionPlanPage",
    "BasePage",
    "ConsentText",
    "DailySalt",
    "FormField",
    "FormPage",
    "HomePage",
    "MailingListSubscriber",
    "PrivacyAction",
    "RateLimitCounter",
    "Recommendation",
    "RecommendationStatusChange",
    "ReportPage",
    "ReportRelatedPage",
    "SiteSettings",
    "SpamProtectedFormMixin",
    "StandardPage",
    "_new_unsubscribe_token",
    "is_public",
]
