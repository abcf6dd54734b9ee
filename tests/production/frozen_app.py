"""A WSGI app for tests/production/test_production_stack.py: it answers with how many
objects the garbage collector holds frozen in the worker that runs it."""

import gc


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(gc.get_freeze_count()).encode()]
