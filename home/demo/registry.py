"""A small registry of demo-content loaders.

`manage.py load_demo` builds the home app's pages, then calls every loader that
other apps registered (in their `AppConfig.ready()`), in order. Each loader must
be idempotent: it looks up what it created before and leaves it alone.
"""

from collections.abc import Callable
from dataclasses import dataclass

_loaders = []


@dataclass(frozen=True)
class DemoLoader:
    name: str
    order: int
    load: Callable  # load(home_page, stdout) -> None


def register(name, order=100):
    """Decorator: register `func(home_page, stdout)` as a demo loader."""

    def decorator(func):
        if not any(loader.name == name for loader in _loaders):
            _loaders.append(DemoLoader(name=name, order=order, load=func))
        return func

    return decorator


def loaders():
    return sorted(_loaders, key=lambda loader: (loader.order, loader.name))
