"""Share links: plain URLs to each service's share page, no third-party scripts."""

from urllib.parse import quote, urlencode


def share_links(url, title):
    """(service name, share URL) pairs for a page at absolute `url` titled `title`."""
    return [
        ("Email", "mailto:?" + urlencode({"subject": title, "body": url}, quote_via=quote)),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{title} {url}"}, quote_via=quote)),
        (
            "X",
            "https://x.com/intent/post?" + urlencode({"text": title, "url": url}, quote_via=quote),
        ),
        (
            "Facebook",
            "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}, quote_via=quote),
        ),
        (
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?"
            + urlencode({"url": url}, quote_via=quote),
        ),
    ]
