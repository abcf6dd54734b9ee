"""Demo content for the blog: the "News" index, authors, categories and about a
dozen posts, with daily view totals so that the editors' chart has a story.

Written in our own words from the public record in docs/CONTENT.md; every figure
names its source on the post. Anything not on the record (the new roundtables'
details, the view numbers) is labelled as example content.
"""

import datetime
import random

from django.db.models import Sum
from django.utils import timezone

from wagtail.rich_text import RichText

from home.abuse.visitor import today
from home.demo.images import get_or_create_image, share_card

from .models import Author, BlogCategory, BlogIndexPage, BlogPage, PostViewDay

EXAMPLE_NOTE = (
    "<p><i>Example content: this post was written for the demo site. Dates, places "
    "and other details not in the public record are illustrative.</i></p>"
)

CATEGORIES = [
    ("News", "news", "What the network has been doing."),
    ("Events", "events", "Roundtables, training and meetings."),
    ("Research", "research", "Our surveys, polls and reports."),
    ("Statements", "statements", "The network's public statements."),
]

AUTHORS = [
    (
        "research",
        "LMN Research Unit",
        "Research",
        "The network's research unit runs our surveys and polls. (Example author profile.)",
    ),
    (
        "executive",
        "LMN Executive Committee",
        "Officers",
        "The elected officers who lead the network. (Example author profile.)",
    ),
    (
        "campaigns",
        "LMN Campaigns Team",
        "Campaigns and events",
        "Organises our roundtables, training and local campaigning. (Example author profile.)",
    ),
]


def _p(*parts):
    return "".join(f"<p>{part}</p>" for part in parts)


def _dt(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def _ago(days, hour=10):
    date = today() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime(date.year, date.month, date.day, hour, 0))


def posts():
    """The demo posts: (slug, title, date, category slugs, author keys, tags, intro, body)."""
    return [
        (
            "islamophobia-report-published",
            "Our report on Islamophobia and the Muslim experience in the Labour Party",
            _dt(2020, 11, 14, 9),
            ["research", "news"],
            ["research"],
            ["report", "islamophobia", "survey"],
            "Our research unit asked Muslim members and supporters about their experience "
            "of the party. Today we publish what they told us.",
            _p(
                "“Islamophobia and the Muslim Experience: The Labour Party Report” is "
                "published today, at the start of Islamophobia Awareness Month. Afzal Khan "
                "MP, Member for Manchester Gorton, wrote the foreword.",
                "Over about two months in the summer of 2020 we surveyed 422 Muslim members "
                "and supporters, including elected officials. More than one in four (29%) had "
                "directly experienced Islamophobia within the party, and more than one in "
                "three (37%) had witnessed it.",
                "Confidence is low: 44% did not believe the party takes Islamophobia "
                "seriously, and 48% had no confidence in the complaints procedure to deal "
                "with it effectively.",
                "<i>Sources: LabourList (November 2020); ITV News (13 November 2020); "
                "Al Jazeera (14 November 2020).</i>",
            ),
        ),
        (
            "leadership-welcomes-report",
            "Party leadership welcomes our report",
            _dt(2020, 11, 14, 16),
            ["news"],
            ["executive"],
            ["report", "leadership"],
            "The leader and deputy leader have responded to our findings.",
            _p(
                "The party's leader and deputy leader welcomed our report and said they "
                "would work with the network on its recommendations.",
                "We look forward to turning that commitment into action, and we will report "
                "back to members on every step.",
            ),
        ),
        (
            "joint-statement-with-party-leadership",
            "Joint statement after meeting the party leadership",
            _dt(2020, 11, 28, 12),
            ["statements"],
            ["executive"],
            ["leadership", "action plan"],
            "We met the leader, deputy leader and general secretary to discuss the report.",
            _p(
                "About two weeks after the report came out, the leader, deputy leader and "
                "general secretary met the network and issued a joint statement with us.",
                "They agreed our recommendations in full and agreed to develop an action "
                "plan with us. The next step is to hear from members across the country.",
            ),
        ),
        (
            "action-plan-roundtables-2021",
            "Roundtables on the action plan: have your say",
            _dt(2021, 1, 11, 10),
            ["events"],
            ["campaigns"],
            ["roundtables", "action plan"],
            "One roundtable for each audience, so that everyone can shape the action plan.",
            _p(
                "We are holding a series of roundtables so that everyone can contribute to "
                "the action plan: one each for local members, activists, councillors, MPs "
                "and community stakeholders.",
                "Register for the roundtable that suits you.",
            ),
        ),
        (
            "roundtables-complete-task-force",
            "Hundreds took part in our roundtables; a task force comes next",
            _dt(2021, 2, 8, 10),
            ["news", "events"],
            ["campaigns"],
            ["roundtables", "task force"],
            "Thank you to everyone who joined the conversation.",
            _p(
                "Our roundtable series involved hundreds of people, from members and "
                "activists to councillors, MPs and community organisations.",
                "After the roundtables, the network and the party agreed to set up an "
                "Islamophobia Task Force to draw up the action plan.",
            ),
        ),
        (
            "nec-codes-of-conduct-and-training",
            "New codes of conduct and training on Islamophobia",
            _dt(2021, 3, 24, 10),
            ["news"],
            ["executive"],
            ["NEC", "training"],
            "The party's National Executive Committee has agreed new codes and training.",
            _p(
                "The NEC has agreed new codes of conduct and training on Islamophobia. The "
                "network was among the organisations consulted.",
                "Training matters: it helps members recognise Islamophobia and gives "
                "complainants confidence that it will be taken seriously.",
            ),
        ),
        (
            "survation-poll-british-muslims",
            "Our poll of British Muslims with Survation",
            _dt(2021, 6, 21, 10),
            ["research"],
            ["research"],
            ["poll", "survey"],
            "We commissioned Survation to poll British Muslims about the party.",
            _p(
                "Survation polled 504 British Muslims for the network between 20 May and "
                "4 June 2021.",
                "The poll gives the wider Muslim community a voice alongside the members "
                "and supporters we surveyed in 2020.",
            ),
        ),
        (
            "independent-complaints-process-approved",
            "Independent complaints process and Islamophobia code approved",
            _dt(2021, 7, 20, 10),
            ["statements"],
            ["executive"],
            ["NEC", "complaints"],
            "We welcome the NEC's decision.",
            _p(
                "In July 2021 the NEC approved an independent complaints process and a Code "
                "of Conduct on Islamophobia.",
                "Independence was one of the things members asked for most: confidence in "
                "the complaints system depends on it.",
            ),
        ),
        (
            "follow-up-poll-2022",
            "Follow-up poll: trust in the leadership is still low",
            _dt(2022, 3, 14, 10),
            ["research"],
            ["research"],
            ["poll", "leadership"],
            "Our follow-up poll shows how much is still to do.",
            _p(
                "Fieldwork for our follow-up poll ran from 5 to 24 January 2022. 68% of "
                "respondents did not trust the leadership on Islamophobia, and 59% said the "
                "party had handled the issue badly since 2020.",
                "<i>Source: Labour Muslim Network follow-up poll (March 2022).</i>",
            ),
        ),
        (
            "forde-report-briefing",
            "Our briefing on the Forde Report",
            _dt(2022, 7, 19, 17),
            ["statements", "research"],
            ["research", "executive"],
            ["Forde Report"],
            "The Forde Report was published today; here is our briefing on it.",
            _p(
                "The Forde Report was published on 19 July 2022. We have published a "
                "briefing for members on what it means for tackling Islamophobia.",
            ),
        ),
        (
            "muslim-councillor-network",
            "Join the Muslim Councillor Network",
            _ago(45),
            ["news"],
            ["campaigns"],
            ["councillors"],
            "A platform, workshops and two conferences a year for Muslim councillors.",
            _p(
                "According to our site, the UK has more than 500 Muslim councillors, and "
                "over 75% of them are Labour.",
                "The Muslim Councillor Network offers them an online platform, workshops "
                "and two conferences a year. Councillors can join through our contact page.",
                "<i>Source: Labour Muslim Network, About page.</i>",
            ),
        ),
        (
            "islamophobia-awareness-training-for-clps",
            "Free Islamophobia awareness training for your constituency party",
            _ago(20),
            ["news", "events"],
            ["campaigns"],
            ["training", "CLPs"],
            "Book free training, a speaker or help with local campaigning.",
            _p(
                "We offer constituency Labour parties and Labour groups free Islamophobia "
                "awareness training, speakers for meetings, and support for local "
                "campaigning.",
                "Send us an enquiry through our Services page and we will be in touch.",
            ),
        ),
        (
            "islamophobia-roundtables-announcement",
            "Announcing our Islamophobia roundtables",
            _ago(3),
            ["events", "news"],
            ["campaigns", "executive"],
            ["roundtables", "islamophobia", "action plan"],
            "A new series of roundtables — one for each audience — so that everyone can "
            "help shape the next steps on tackling Islamophobia.",
            EXAMPLE_NOTE
            + _p(
                "After our 2020 report, roundtables gave hundreds of people a say in the "
                "party's action plan. We are now holding a new series to take stock of "
                "progress and decide what comes next.",
                "There is a roundtable for each audience: members; activists and CLP "
                "officers; councillors; MPs; and community stakeholders. Register for the "
                'one that suits you on our <a href="/events/">events page</a>; places '
                "are limited, and some sessions have a waiting list.",
            ),
        ),
    ]


def _daily_views(slug, published, end, days=120):
    """Example daily totals: a burst in the first days after a post appears, then a
    steady trickle. Seeded by the slug, so every run draws the same numbers."""
    rng = random.Random(slug)  # noqa: S311  (demo numbers, not security)
    first = max(published, end - datetime.timedelta(days=days - 1))
    totals = {}
    day = first
    while day <= end:
        age = (day - published).days
        base = 40 * 0.7**age if age < 14 else 2
        views = int(base + rng.randint(0, 3))
        if views:
            totals[day] = views
        day += datetime.timedelta(days=1)
    return totals


def build_blog(home_page, stdout):
    """Create (or find) the News index, its categories, authors, posts and views."""
    index = BlogIndexPage.objects.child_of(home_page).first()
    if index is None:
        index = BlogIndexPage(
            title="News",
            slug="blog",
            show_in_menus=True,
            introduction="News, statements, research and events from the Labour Muslim Network.",
            listing_summary="News, statements, research and events from the network.",
        )
        home_page.add_child(instance=index)
        index.save_revision().publish()
        stdout.write("Created the blog index (News) at /blog/.")

    categories = {}
    for name, slug, description in CATEGORIES:
        categories[slug], _ = BlogCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    authors = {}
    for key, name, role, bio in AUTHORS:
        authors[key], _ = Author.objects.get_or_create(
            name=name, defaults={"role": role, "bio": bio}
        )

    existing = set(index.get_children().values_list("slug", flat=True))
    created = 0
    for number, (slug, title, date, cats, who, tags, intro, body) in enumerate(posts()):
        if slug in existing:
            continue
        kicker = categories[cats[0]].name
        image = get_or_create_image(
            f"Blog: {title}",
            lambda title=title, kicker=kicker, number=number: share_card(
                title, kicker=kicker, seed=number
            ),
            description="",
        )
        post = BlogPage(
            title=title,
            slug=slug,
            date=date,
            intro=intro,
            body=[("paragraph", RichText(body))],
            hero_image=image,
            hero_image_alt=f"The title “{title}” on a red patterned card.",
            live=False,
        )
        post.authors = [authors[key] for key in who]
        post.categories = [categories[key] for key in cats]
        index.add_child(instance=post)
        post.tags.add(*tags)
        revision = post.save_revision()
        post.first_published_at = date
        post.save(update_fields=["first_published_at"], clean=False)
        revision.publish()
        created += 1
    if created:
        stdout.write(f"Created {created} blog posts.")
    _add_views(index, stdout)


def _add_views(index, stdout):
    """Give every post without any views its example daily totals, and the post its
    total (the sum of those days)."""
    end = today()
    added = 0
    for post in BlogPage.objects.child_of(index):
        if PostViewDay.objects.filter(post=post).exists():
            continue
        totals = _daily_views(post.slug, timezone.localdate(post.date), end)
        PostViewDay.objects.bulk_create(
            PostViewDay(post=post, day=day, views=views) for day, views in totals.items()
        )
        total = PostViewDay.objects.filter(post=post).aggregate(n=Sum("views"))["n"] or 0
        BlogPage.objects.filter(pk=post.pk).update(view_count=total)
        added += 1
    if added:
        stdout.write(f"Added example view counts to {added} posts.")
