"""Demo content for the home app: the home page, standard pages, forms and site settings.

Written in our own words from the public record: docs/CONTENT.md lists the facts
and their sources. Figures are cited where they appear; anything that is not on
the public record (the postal address, the privacy notice, the accessibility
statement) is labelled as example text on the page.

Every function here is idempotent: it finds what an earlier run made (by slug
or title) and leaves it alone, so editors' changes survive `load_demo`.
"""

import json
from urllib.parse import urlsplit

from django.conf import settings

from wagtail.models import Page, Site

from home.demo.images import get_or_create_image, hero_art, share_card
from home.pages.models import FormField, FormPage, HomePage, SiteSettings, StandardPage

EXAMPLE_NOTE = (
    '<p><span class="example-label">Example text</span> This page was written for the '
    "demo site. It shows the structure such a page needs; the network must review it "
    "before it is used for real.</p>"
)


# ---------------------------------------------------------------------------
# StreamField helpers: the raw JSON form Wagtail stores, one dict per block.


def heading(text, size="h2"):
    return {"type": "heading", "value": {"heading_text": text, "size": size}}


def paragraph(*html_parts):
    return {"type": "paragraph", "value": "".join(html_parts)}


def call_to_action(text, page=None, url="", style="primary"):
    return {
        "type": "call_to_action",
        "value": {"text": text, "page": page.pk if page else None, "url": url, "style": style},
    }


def image_block(image, caption="", alt_text=""):
    return {
        "type": "image",
        "value": {"image": image.pk, "caption": caption, "alt_text": alt_text, "attribution": ""},
    }


def link(page, text):
    """A rich-text link to a page, stored by id so that it survives moves."""
    return f'<a linktype="page" id="{page.pk}">{text}</a>'


def stream(*blocks):
    return json.dumps(list(blocks))


# ---------------------------------------------------------------------------
# The tree


def build_home_tree(stdout):
    """Create (or find) the home page and make it the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's migrations create a placeholder "Welcome" page; replace it.
        for child in root.get_children():
            if not isinstance(child.specific, HomePage):
                Site.objects.filter(root_page=child).delete()
                child.delete()
        root.refresh_from_db()
        home = HomePage(
            title="Home",
            slug="home",
            seo_title="Labour Muslim Network",
            hero_heading="A strong Muslim voice in the Labour Party",
            hero_intro=(
                "We are a network of Muslim members and supporters of the Labour Party. "
                "We organise, campaign and hold our party to its word on tackling "
                "Islamophobia."
            ),
            search_description=(
                "The Labour Muslim Network: Muslim members and supporters of the Labour "
                "Party, organising and campaigning against Islamophobia."
            ),
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        stdout.write("Created the home page.")
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        # The site's address is where canonical and sitemap URLs point; take it
        # from WAGTAILADMIN_BASE_URL so that `make run` links to itself.
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        Site.objects.create(
            hostname=base.hostname or "localhost",
            port=base.port or (443 if base.scheme == "https" else 80),
            root_page=home,
            is_default_site=True,
            site_name="Labour Muslim Network",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home


def _child(parent, slug):
    return parent.get_children().filter(slug=slug).specific().first()


def _add(parent, make_page, stdout):
    """Publish the page `make_page()` builds under `parent`, unless a page with
    its slug is already there. Returns (page, created)."""
    page = make_page()
    existing = _child(parent, page.slug)
    if existing is not None:
        return existing, False
    # Live from the start, without a revision: the editor opens the live page,
    # and the demo loads in half the time (it runs before many tests).
    parent.add_child(instance=page)
    stdout.write(f"Created the page {page.url_path.removeprefix('/home')}")
    return page, True


def load_home_content(home, stdout):
    """The standard pages, forms, images and settings of the demo site."""
    contact, _ = _add(home, contact_page, stdout)
    about, _ = _add(home, lambda: about_page(contact), stdout)
    hub, _ = _add(home, lambda: islamophobia_hub_page(contact), stdout)
    services, services_created = _add(home, services_page, stdout)
    enquiry, _ = _add(services, services_enquiry_page, stdout)
    if services_created:
        # The button needs the enquiry page, which can only be made under services.
        services.body.append(
            (
                "call_to_action",
                {"text": "Make an enquiry", "page": enquiry, "url": "", "style": "primary"},
            )
        )
        services.save(update_fields=["body"])
    privacy, _ = _add(home, lambda: privacy_page(contact), stdout)
    accessibility, _ = _add(home, lambda: accessibility_page(contact), stdout)
    _fill_home_page(home, about, services, hub, stdout)
    _fill_site_settings(privacy, accessibility, contact, stdout)
    order_menu(home, stdout)


def _share_image(title, seed=0):
    return get_or_create_image(
        f"Sharing card: {title}",
        lambda: share_card(title, seed=seed),
        description="",
    )


def _fill_home_page(home, about, services, hub, stdout):
    """Give the home page its hero picture, teaser and closing section, once."""
    home = HomePage.objects.get(pk=home.pk)
    if home.featured_heading:
        return
    home.hero_image = get_or_create_image(
        "Eight-pointed star pattern in red and gold",
        hero_art,
        description="A geometric pattern of eight-pointed stars in red, white and gold.",
    )
    home.hero_cta_text = "About the network"
    home.hero_cta_page = about
    home.featured_heading = "Islamophobia and the Muslim Experience: The Labour Party Report"
    home.featured_text = (
        "In summer 2020 we asked 422 Muslim members, supporters and elected officials "
        "about their experience of the party. More than one in four (29%) had directly "
        "experienced Islamophobia within it, and 44% did not believe the party takes "
        "Islamophobia seriously.\n"
        "Source: LMN survey, July–August 2020, published 14 November 2020 and reported "
        "by LabourList and ITV News."
    )
    home.featured_cta_text = "Read the report"
    home.social_image = _share_image("A strong Muslim voice in the Labour Party", seed=1)
    home.body = stream(
        heading("Get involved"),
        paragraph(
            "<p>Whether you are a member, a councillor, a constituency officer or simply "
            "share our values, there is a place for you in the network.</p>",
            "<ul>",
            f"<li>{link(services, 'Book free Islamophobia awareness training')} "
            "or a speaker for your constituency party or Labour group.</li>",
            f"<li>Find guidance and support in our {link(hub, 'Islamophobia Hub')}.</li>",
            f"<li>Read {link(about, 'about the network')} and our Muslim Councillor Network.</li>",
            "</ul>",
        ),
        call_to_action("Services for CLPs", page=services),
    )
    home.save_revision().publish()
    stdout.write("Filled in the home page.")


def _fill_site_settings(privacy, accessibility, contact, stdout):
    """Footer and sharing settings, filled the first time only."""
    site_settings = SiteSettings.load()
    changed = False
    if not site_settings.contact_address:
        site_settings.contact_address = (
            "Labour Muslim Network\nPO Box 0000 (example address)\nLondon"
        )
        changed = True
    for field, page in (
        ("privacy_page", privacy),
        ("accessibility_page", accessibility),
        ("contact_page", contact),
    ):
        if getattr(site_settings, f"{field}_id") is None:
            setattr(site_settings, field, page)
            changed = True
    if site_settings.default_social_image_id is None:
        site_settings.default_social_image = _share_image(
            "Muslim members and supporters of the Labour Party"
        )
        changed = True
    if changed:
        site_settings.save()
        stdout.write("Filled in the site settings.")


# ---------------------------------------------------------------------------
# Pages. Each returns an unsaved page; `_add` saves it only if it is new.


def about_page(contact):
    return StandardPage(
        title="About",
        slug="about",
        seo_title="About the Labour Muslim Network",
        show_in_menus=True,
        listing_summary=(
            "Who we are: a network of Muslim members and supporters of the Labour Party, "
            "launched at the House of Commons in 2017."
        ),
        social_image=_share_image("About the Labour Muslim Network", seed=2),
        introduction=(
            "The Labour Muslim Network brings together Muslim members and supporters of the "
            "Labour Party, to make sure our communities are heard inside the party and "
            "that the party lives up to its values."
        ),
        body=stream(
            heading("Who we are"),
            paragraph(
                "<p>We are a network of Muslim members and supporters of the Labour Party "
                "from across the country. Our website has been online since the middle of "
                "2017, and the network was formally launched at the House of Commons on "
                "11 December 2017.</p>",
                "<p>We believe that British Muslims belong at every level of the labour "
                "movement: as members and activists, as councillors and MPs, and in the "
                "rooms where policy is made.</p>",
            ),
            heading("What we do"),
            paragraph(
                "<ul>",
                "<li><b>Research.</b> Our research unit gathers evidence about Muslims' "
                "experience of the party, most notably our November 2020 report, "
                "<i>Islamophobia and the Muslim Experience: The Labour Party Report</i>.</li>",
                "<li><b>Tackling Islamophobia.</b> Our Islamophobia Hub offers guidance and "
                "a point of contact for members who experience or witness it.</li>",
                "<li><b>Support for local parties.</b> We offer constituency Labour "
                "parties and Labour groups free awareness training, speakers and help with "
                "local campaigning.</li>",
                "<li><b>Organising.</b> We bring members together to shape the party's "
                "response, for example through the roundtables that fed into the action "
                "plan after our report.</li>",
                "</ul>",
            ),
            heading("The Muslim Councillor Network"),
            paragraph(
                "<p>Muslim councillors are a large and growing part of local government. "
                "The network's own figures put the number of Muslim councillors in the UK "
                "at more than 500, of whom over 75% are Labour.</p>",
                "<p>The Muslim Councillor Network connects them. It offers:</p>",
                "<ul><li>an online platform where councillors share experience and "
                "advice;</li><li>workshops on the issues councillors face;</li>"
                "<li>two conferences a year.</li></ul>",
                "<p><i>Source for the figures: the Labour Muslim Network's website.</i></p>",
            ),
            heading("Work with us"),
            paragraph(
                "<p>If you are a Labour member or supporter and want to get involved, or a "
                "councillor who would like to join the councillor network, we would like "
                "to hear from you.</p>"
            ),
            call_to_action("Contact us", page=contact),
        ),
    )


def islamophobia_hub_page(contact):
    return StandardPage(
        title="Islamophobia Hub",
        slug="islamophobia-hub",
        show_in_menus=True,
        listing_summary=(
            "Guidance and support for members who experience or witness Islamophobia in "
            "the party, and what we are doing about it."
        ),
        social_image=_share_image("Islamophobia Hub", seed=4),
        introduction=(
            "Islamophobia has no place in our party. The hub explains the definition "
            "Labour uses, what you can do if you experience or witness Islamophobia, and "
            "how to reach us."
        ),
        body=stream(
            heading("The definition Labour uses"),
            paragraph(
                "<p>In March 2019 Labour's National Executive Committee (NEC) adopted the "
                "working definition of Islamophobia drawn up by the All-Party "
                "Parliamentary Group (APPG) on British Muslims. It is the definition our "
                "research uses too.</p>"
            ),
            heading("Why this matters"),
            paragraph(
                "<p>When we surveyed 422 Muslim members, supporters and elected officials "
                "in summer 2020, 29% had directly experienced Islamophobia within the "
                "party and 37% had witnessed it. Almost half (48%) had no confidence that "
                "the complaints procedure would deal with it effectively.</p>",
                "<p><i>Source: Islamophobia and the Muslim Experience: The Labour Party "
                "Report (Labour Muslim Network, November 2020), as reported by LabourList "
                "and ITV News.</i></p>",
            ),
            heading("What has changed since"),
            paragraph(
                "<p>After the report, the party leadership agreed to work with us on its "
                "recommendations. In March 2021 the NEC agreed new codes of conduct and "
                "training on Islamophobia, consulting organisations including ours, and in "
                "July 2021 it approved an independent complaints process and a Code of "
                "Conduct on Islamophobia.</p>"
            ),
            heading("If you experience or witness Islamophobia"),
            paragraph(
                "<ol>",
                "<li><b>Look after yourself first.</b> You do not have to respond in the "
                "moment.</li>",
                "<li><b>Keep a record.</b> Note what happened, when and where, who was "
                "involved and who else saw it. Keep screenshots of anything online.</li>",
                "<li><b>Report it.</b> Use the party's complaints process. You can ask us "
                "for help in doing so.</li>",
                "<li><b>Talk to us.</b> Write to "
                '<a href="mailto:Outreach@LabourMuslims.org">Outreach@LabourMuslims.org</a>; '
                "we treat what you tell us in confidence.</li>",
                "</ol>",
            ),
            call_to_action("Send us a message", page=contact, style="secondary"),
        ),
    )


def services_page():
    return StandardPage(
        title="Services for CLPs",
        slug="services",
        seo_title="Services for constituency Labour parties and Labour groups",
        show_in_menus=True,
        listing_summary=(
            "Free Islamophobia awareness training, speakers and help with local campaigning "
            "for constituency Labour parties and Labour groups."
        ),
        social_image=_share_image("Services for constituency Labour parties", seed=5),
        introduction=(
            "We support constituency Labour parties (CLPs) and Labour groups to welcome "
            "Muslim members, tackle Islamophobia and campaign in their communities. Our "
            "services are free."
        ),
        body=stream(
            heading("Islamophobia awareness training"),
            paragraph(
                "<p>A session for your CLP, branch or Labour group on what Islamophobia is, "
                "the definition the party has adopted, how it shows up in everyday party "
                "life and what members and officers can do about it.</p>"
            ),
            heading("Speakers"),
            paragraph(
                "<p>We can suggest a speaker for a members' meeting, a hustings or a "
                "community event, on topics from Muslim political participation to our "
                "research into members' experiences.</p>"
            ),
            heading("Local campaigning"),
            paragraph(
                "<p>We can help you reach and listen to Muslim communities in your area: "
                "planning outreach, working with local organisations and making your "
                "campaigning materials welcoming.</p>"
            ),
            heading("How to ask"),
            paragraph(
                "<p>Tell us what you need with the enquiry form. We usually ask for at "
                "least four weeks' notice for training or a speaker.</p>"
            ),
        ),
    )


def _form_fields(specs):
    return [
        FormField(
            sort_order=index,
            label=label,
            field_type=field_type,
            required=required,
            choices="\n".join(choices),
            help_text=help_text,
        )
        for index, (label, field_type, required, choices, help_text) in enumerate(specs)
    ]


def contact_page():
    return FormPage(
        title="Contact",
        slug="contact",
        seo_title="Contact the Labour Muslim Network",
        show_in_menus=True,
        listing_summary="Send us a message. We read everything and reply as soon as we can.",
        intro=(
            "<p>Send us a message with the form below, or email "
            '<a href="mailto:info@labourmuslims.org">info@labourmuslims.org</a>. '
            "For help with Islamophobia in the party, write to "
            '<a href="mailto:Outreach@LabourMuslims.org">Outreach@LabourMuslims.org</a>.</p>'
        ),
        thank_you_text=(
            "<p>Thank you for getting in touch. A member of the team will reply by email, "
            "usually within five working days.</p>"
        ),
        to_address="info@labourmuslims.org",
        from_address="no-reply@labourmuslims.org",
        subject="Message from the website's contact form",
        form_fields=_form_fields(
            [
                ("Your name", "singleline", True, [], ""),
                ("Email address", "email", True, [], "We will only use it to reply to you."),
                (
                    "What is your message about?",
                    "dropdown",
                    True,
                    [
                        "A general question",
                        "Joining or getting involved",
                        "Media enquiry",
                        "Islamophobia in the party",
                        "This website",
                    ],
                    "",
                ),
                ("Your message", "multiline", True, [], ""),
            ]
        ),
    )


def services_enquiry_page():
    return FormPage(
        title="Request training or a speaker",
        slug="enquiry",
        show_in_menus=True,
        listing_summary=(
            "Ask for free Islamophobia awareness training, a speaker, or help with local "
            "campaigning."
        ),
        intro=(
            "<p>Tell us about your constituency Labour party or Labour group and what you "
            "would like. We will reply to arrange the details.</p>"
        ),
        thank_you_text=(
            "<p>Thank you. We have your request and will be in touch to arrange it.</p>"
        ),
        to_address="info@labourmuslims.org",
        from_address="no-reply@labourmuslims.org",
        subject="Services enquiry from the website",
        form_fields=_form_fields(
            [
                ("Your name", "singleline", True, [], ""),
                ("Email address", "email", True, [], ""),
                (
                    "Constituency Labour party or Labour group",
                    "singleline",
                    True,
                    [],
                    "For example, Manchester Gorton CLP.",
                ),
                ("Your role", "singleline", False, [], "For example, secretary or councillor."),
                (
                    "What would you like?",
                    "checkboxes",
                    True,
                    [
                        "Islamophobia awareness training",
                        "A speaker",
                        "Help with local campaigning",
                    ],
                    "Choose all that apply.",
                ),
                ("Preferred date", "date", False, [], "Leave blank if you are flexible."),
                ("Anything else we should know", "multiline", False, [], ""),
            ]
        ),
    )


def privacy_page(contact):
    return StandardPage(
        title="Privacy notice",
        slug="privacy-notice",
        show_in_menus=False,
        listing_summary="How we collect, use and look after your personal information.",
        introduction=(
            "This notice explains what personal information the Labour Muslim Network "
            "collects through this website, why, how long we keep it and your rights."
        ),
        body=stream(
            paragraph(EXAMPLE_NOTE),
            heading("Who we are"),
            paragraph(
                "<p>The Labour Muslim Network is the data controller for information you "
                f"give us through this website. You can reach us through our "
                f"{link(contact, 'contact form')} or at "
                '<a href="mailto:info@labourmuslims.org">info@labourmuslims.org</a>.</p>'
            ),
            heading("Why this matters to us"),
            paragraph(
                "<p>Because we are a network of Muslim Labour members and supporters, the "
                "fact that you contact us, register for an event or comment on our site "
                "may reveal your religious belief and political opinion. The law treats "
                "these as special category data, and so do we: we collect as little as "
                "we can and keep it for as short a time as we can.</p>"
            ),
            heading("What we collect and why"),
            paragraph(
                "<ul>",
                "<li><b>Event registrations</b>: your name, email address and your answers "
                "to the event's questions (some, such as access needs, are treated as "
                "sensitive), so that we can run the event, send you the joining details "
                "and manage the waiting list. When you fill in the form we email you a "
                "link to confirm: you have no place, and nobody here sees your details, "
                "until you confirm. Anyone who types your address into the form is told "
                "only to check their inbox, never whether you are registered.</li>",
                "<li><b>Comments</b>: your name, email address and comment, so that we can "
                "moderate and publish it. We never publish your email address.</li>",
                "<li><b>Messages and enquiries</b>: your name, email address and what you "
                "tell us, so that we can reply.</li>",
                "<li><b>Visits</b>: we count page views without cookies, using a code that "
                "changes every day and cannot be traced back to you. We use no analytics "
                "or advertising trackers.</li>",
                "</ul>",
                "<p>With each registration and comment we also record which version of the "
                "consent wording you agreed to, and when.</p>",
            ),
            heading("Our lawful basis"),
            paragraph(
                "<p>We rely on your explicit consent (UK GDPR Article 6(1)(a) and, because "
                "the information may reveal your religion or political opinions, Article "
                "9(2)(a)). You give it by ticking the box on each form: the box is never "
                "ticked for you. You can withdraw it at any time by contacting us, and we "
                "will delete your details.</p>",
            ),
            heading("Our mailing list"),
            paragraph(
                "<p>The event and comment forms also have a separate box for joining our "
                "mailing list. It is optional, never ticked for you, and you can register "
                "or comment without it. If you tick it, we email you a link to confirm "
                "that it was you: until you confirm, you are not on the list, and we delete "
                "the request after 30 days. We keep your email address, the wording you "
                "agreed to and when, apart from your registration or comment, until you "
                "unsubscribe (with the link in our emails, or by contacting us) or ask us "
                "to delete your details. Only our site administrators can see the list.</p>",
            ),
            heading("Who can see your information"),
            paragraph(
                "<ul>",
                "<li>Event registrations: only our event organisers and site administrators.</li>",
                "<li>Commenters' email addresses: only our comment moderators and site "
                "administrators.</li>",
                "<li>Messages: only the people who answer them.</li>",
                "</ul>",
                "<p>Every download of registrations or of a person's data is recorded with "
                "who made it and when. Our website never writes what you type into its "
                "logs or error reports. We do not sell or share your information. Our "
                "web host and email provider handle it only on our instructions.</p>",
            ),
            heading("How long we keep it"),
            paragraph(
                "<ul>",
                "<li>Event registrations: if you do not confirm from the emailed link, what "
                "you sent is deleted when the link expires (after 24 hours at most). "
                "Otherwise your name, email address and answers are deleted "
                "90 days after the event ends (an event page may set a different period). "
                "We keep only the numbers, such as how many people had a place.</li>",
                "<li>Comments: your email address is deleted 90 days after we approve or "
                "reject your comment. Your name and comment stay published with the post "
                "unless you ask us to remove them.</li>",
                "<li>Messages and enquiries: deleted after 180 days.</li>",
                "</ul>",
            ),
            heading("Your rights"),
            paragraph(
                "<p>You can ask for a copy of everything we hold about you (we can send it "
                "as a file), ask us to correct or delete it, or object to how we use it. "
                "If you ask us to delete a place on an event that has not happened yet, "
                "we cancel it and offer it to the next person waiting. Contact us and we "
                "will reply within one month. You can also complain to the Information "
                'Commissioner\'s Office at <a href="https://ico.org.uk/">ico.org.uk</a>.</p>'
            ),
        ),
    )


def accessibility_page(contact):
    return StandardPage(
        title="Accessibility statement",
        slug="accessibility-statement",
        show_in_menus=False,
        listing_summary="How accessible this website is, and how to tell us about problems.",
        introduction=(
            "We want everyone to be able to use this website, whatever device or assistive "
            "technology they use."
        ),
        body=stream(
            paragraph(EXAMPLE_NOTE),
            heading("What we aim for"),
            paragraph(
                "<p>This website aims to meet the Web Content Accessibility Guidelines "
                "(WCAG) 2.2 at level AA. You should be able to:</p>",
                "<ul>",
                "<li>zoom in up to 400% without text spilling off the screen;</li>",
                "<li>use every part of the site with a keyboard alone;</li>",
                "<li>use the site with a screen reader;</li>",
                "<li>read text with enough contrast against its background;</li>",
                "<li>use the site without JavaScript.</li>",
                "</ul>",
            ),
            heading("How we test"),
            paragraph(
                "<p>Every change to the site is checked automatically with the axe "
                "accessibility engine and by keyboard in a real browser, including on a "
                "small phone-sized screen.</p>"
            ),
            heading("Known problems"),
            paragraph(
                "<p>Some older documents, such as PDFs, may not be fully accessible. If you "
                "need one in another format, ask us and we will help.</p>"
            ),
            heading("Tell us about a problem"),
            paragraph(
                "<p>If you find something on this website hard to use, please tell us "
                f"through our {link(contact, 'contact form')}. We will reply within five "
                "working days.</p>"
            ),
        ),
    )


# ---------------------------------------------------------------------------
# After every app's loader has run


# The menu order the network asked for; pages not named here go before the
# Islamophobia Hub, and pages outside the menu go last.
MENU_ORDER = [
    "about",
    "report",
    "action-plan",
    "blog",
    "news",
    "events",
    None,
    "islamophobia-hub",
    "services",
    "contact",
]


def _menu_rank(page):
    if not page.show_in_menus:
        return len(MENU_ORDER)
    slug = page.slug
    return MENU_ORDER.index(slug) if slug in MENU_ORDER else MENU_ORDER.index(None)


def order_menu(home, stdout):
    """Put the home page's children in the network's menu order (a stable sort:
    pages of equal rank keep their order). Moves nothing when already in order."""
    children = list(home.get_children())
    wanted = sorted(children, key=_menu_rank)
    if [page.pk for page in wanted] == [page.pk for page in children]:
        return
    previous = None
    for page in wanted:
        page = Page.objects.get(pk=page.pk)
        if previous is None:
            page.move(Page.objects.get(pk=home.pk), pos="first-child")
        else:
            page.move(Page.objects.get(pk=previous.pk), pos="right")
        previous = page
    stdout.write("Put the main menu in order.")


def link_featured_report(home, stdout):
    """Point the home page's teaser at /report/ once another app has made it."""
    home = HomePage.objects.get(pk=home.pk)
    if home.featured_page_id is not None:
        return
    report = home.get_children().live().filter(slug=HomePage.FEATURED_FALLBACK_SLUG).first()
    if report is None:
        return
    home.featured_page = report
    home.save_revision().publish()
    stdout.write("Linked the home page's teaser to the report.")


def finish(home, stdout):
    order_menu(home, stdout)
    link_featured_report(home, stdout)
