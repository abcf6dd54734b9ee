"""The editors' chart of daily views: plain functions from daily totals to bars."""

from dataclasses import dataclass
from datetime import timedelta

CHART_DAYS = 90


@dataclass(frozen=True)
class Bar:
    day: object
    views: int
    x: float
    y: float
    width: float
    height: float


def daily_series(totals, end, days=CHART_DAYS):
    """(day, views) for each of the `days` days up to and including `end`, oldest
    first; days without a row count as zero."""
    start = end - timedelta(days=days - 1)
    return [
        (start + timedelta(days=i), totals.get(start + timedelta(days=i), 0)) for i in range(days)
    ]


def nice_ceiling(value):
    """The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `value`: the top of
    the chart's scale, so its gridline labels are round numbers."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bars(series, width, height):
    """Bar geometry for an SVG of `width` by `height` units, one bar per day."""
    top = nice_ceiling(max((views for _, views in series), default=0) or 1)
    slot = width / max(len(series), 1)
    result = []
    for i, (day, views) in enumerate(series):
        bar_height = height * views / top
        result.append(
            Bar(
                day=day,
                views=views,
                x=round(i * slot + slot * 0.1, 2),
                y=round(height - bar_height, 2),
                width=round(slot * 0.8, 2),
                height=round(bar_height, 2),
            )
        )
    return result, top


def summary(series):
    """A one-sentence text alternative for the chart."""
    total = sum(views for _, views in series)
    if not series:
        return "No views."
    busiest_day, busiest = max(series, key=lambda item: (item[1], item[0]))
    first, last = series[0][0], series[-1][0]
    text = f"{total} views in the {len(series)} days from {first:%-d %B %Y} to {last:%-d %B %Y}"
    if busiest:
        text += f"; the busiest day was {busiest_day:%-d %B %Y} with {busiest} views"
    return text + "."
