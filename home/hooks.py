"""The hooks through which the apps plug into home, named in one place.

Each is a Wagtail hook: an app registers a function in its `wagtail_hooks.py` with
`wagtail.hooks.register(NAME, fn, order=...)`, and home reads them with
`wagtail.hooks.get_hooks(NAME)` (in `order`, then registration order). So home
never imports blog or events, and nothing is registered by import side effects
elsewhere.
"""

# fn() -> iterable of home.privacy.registry.PersonalDataHolder(name, export, erase).
# export(email) returns JSON-ready records about that person only; erase(email)
# deletes or anonymises them and returns how many. Holder names are unique; subject
# access, erasure (`privacy_export`, `privacy_erase`, the admin download) call all.
PERSONAL_DATA = "lmn_personal_data"

# fn() -> iterable of home.privacy.registry.RetentionRule(name, apply).
# apply(now, dry_run) returns lines saying what was (or would be) deleted or
# anonymised, and must be idempotent. `apply_retention` runs every rule.
RETENTION_RULES = "lmn_retention_rules"

# fn(request) -> home.staff.dashboard.Part, or None when this user may not see it.
# One part of the dashboard's "Needs you" panel, placed by `order`; it makes a
# fixed number of queries however many items wait.
NEEDS_YOU = "lmn_needs_you"

# fn(home_page, stdout) -> None: builds one app's demo content under the home page,
# run by `manage.py load_demo` in `order` after home's own pages. Idempotent (finds
# what it made before). It imports its demo module inside the function, so demo
# content is never imported when the site starts.
DEMO_CONTENT = "lmn_demo_content"

# fn(plan, request) -> list of dicts (recommendation_id, roundtable, roundtable_title,
# event_url, theme, theme_url): what informed each recommendation of an action plan
# ("You said"). Events provides it.
ACTION_PLAN_INFORMED_BY = "action_plan_informed_by"
