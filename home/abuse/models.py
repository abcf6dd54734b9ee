"""Abuse defences' tables: the day's visitor salt and the rate limiter's counters."""

from django.db import models


class DailySalt(models.Model):
    """The secret of one day used to hash visitors; deleted once the day is over."""

    day = models.DateField(unique=True)
    salt = models.CharField(max_length=64)

    def __str__(self):
        return f"Visitor salt for {self.day}"


class RateLimitCounter(models.Model):
    """Attempts per (hashed) key per time window; see `home.abuse.ratelimit`."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="unique_ratelimit_window")
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self):
        return f"{self.key} from {self.window_start}: {self.count}"
