"""Faster routing to the pages of a section whose children are all of one type.

Wagtail routes a URL one level at a time: at each level it reads the child page,
then its specific row (two queries). An index page that only holds one page type
(the blog's posts, the events) can read the child of that type directly, with the
images its template shows, in one query.
"""


def child_of_type(parent, slug, model, select_related=()):
    """The child of `parent` with `slug` as an instance of `model`, or None."""
    child = model.objects.child_of(parent).filter(slug=slug).select_related(*select_related).first()
    if child is not None:
        child._cached_parent_obj = parent  # treebeard's get_parent() reads it
    return child


def route_to_child(parent, request, path_components, model, select_related=()):
    """Wagtail's `route()` result for a one-segment path naming a `model` child of
    `parent`, or None when the path is anything else (the caller then routes the
    usual way, so 404s, drafts and other page types behave exactly as before)."""
    if len(path_components) != 1:
        return None
    child = child_of_type(parent, path_components[0], model, select_related)
    if child is None:
        return None
    return child.route(request, [])
