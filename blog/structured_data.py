"""schema.org `BlogPosting` for a post, as a plain dict for JSON-LD."""


def blog_posting(
    *,
    url,
    headline,
    description,
    date_published,
    date_modified,
    authors,
    image_url,
    publisher_name,
    publisher_logo_url=None,
    keywords=(),
    sections=(),
):
    """The JSON-LD object Google and others read for an article."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": headline[:110],
        "datePublished": date_published.isoformat(),
        "dateModified": (date_modified or date_published).isoformat(),
        "author": [{"@type": "Person", "name": name} for name in authors]
        or [{"@type": "Organization", "name": publisher_name}],
        "publisher": {"@type": "Organization", "name": publisher_name},
    }
    if description:
        data["description"] = description
    if image_url:
        data["image"] = [image_url]
    if publisher_logo_url:
        data["publisher"]["logo"] = {"@type": "ImageObject", "url": publisher_logo_url}
    if keywords:
        data["keywords"] = list(keywords)
    if sections:
        data["articleSection"] = list(sections)
    return data
