"""Optional TOTP two-factor sign-in for the admin (wagtail-2fa on django-otp).

wagtail-2fa 1.8's code form sends no device choice, and django-otp 1.7.1 and later
refuse a code without one ("Please select a device."), so with the current
releases nobody with a device could ever finish signing in. This form picks the
staff member's own TOTP device itself; lmn_cms/urls.py serves the sign-in view with
it at wagtail-2fa's own address.

Two rules on top of wagtail-2fa's:
- anyone who has enrolled a device is asked for a code after their password,
  whether or not ADMIN_2FA_REQUIRED is on (wagtail-2fa asks only when it is on,
  so a stolen password alone opened an enrolled account);
- wrong codes are throttled per person, across all of their devices: django-otp
  slows down each device on its own, and a second device would otherwise be a
  fresh, unthrottled set of guesses.
"""

from django import forms
from django.conf import settings
from django.urls import resolve
from django.utils import timezone

import django_otp
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail_2fa.forms import TokenForm
from wagtail_2fa.middleware import VerifyUserMiddleware
from wagtail_2fa.views import LoginView


def device_for_code(user, token):
    """The confirmed TOTP device of `user` that a code is checked against.

    With one device (the usual case) that device. With several, the one used most
    recently, unless the code matches another one's current window: django-otp
    stopped trying every device because each miss counts as a failure (and slows
    down) the devices that were not used, so only a device whose code matches is
    returned, and the others are left untouched. Returns None when the user has no
    confirmed device.
    """
    devices = list(
        TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("-last_used_at", "pk")
    )
    if len(devices) <= 1:
        return devices[0] if devices else None
    for device in devices:
        if _matches_without_recording(device, token):
            return device
    return devices[0]


def _matches_without_recording(device, token):
    """Whether `token` is one of the device's codes for now (within its tolerance),
    checked without touching the device's throttling or replay records."""
    try:
        code = int(token)
    except (TypeError, ValueError):
        return False
    return any(
        totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset) == code
        for offset in range(-device.tolerance, device.tolerance + 1)
    )


class SiteTokenForm(TokenForm):
    """wagtail-2fa's code form, checking the code against the user's own device,
    with one throttle for all of the user's devices.

    django-otp keeps a failure count and time on each device. Here they are kept
    the same on every device of the person: while any device is in its back-off
    no code is checked, a wrong code puts every device one step further in, and a
    right one clears them all. Runs inside django-otp's transaction (clean_otp),
    with the person's device rows locked, so two wrong codes at once both count.
    """

    def _chosen_device(self, user):
        return device_for_code(user, self.cleaned_data.get("otp_token"))

    def _verify_token(self, user, token, device=None):
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
        locked = list(devices.select_for_update().order_by("pk"))
        for each in locked:
            # The person's back-off: while any device waits, no code is checked.
            allowed, extra = each.verify_is_allowed()
            if not allowed:
                raise forms.ValidationError(
                    self.otp_error_messages["n_failed_attempts"] % extra, code="throttled"
                )
        failures = max((each.throttling_failure_count for each in locked), default=0)
        try:
            verified = super()._verify_token(user, token, device)
        except forms.ValidationError as error:
            if error.code == "invalid_token":
                devices.update(
                    throttling_failure_count=failures + 1,
                    throttling_failure_timestamp=timezone.now(),
                )
            raise
        devices.update(throttling_failure_count=0, throttling_failure_timestamp=None)
        return verified


class SiteTwoFactorLoginView(LoginView):
    """wagtail-2fa's "enter your code" view with the form above."""

    form_class = SiteTokenForm


class SiteVerifyUserMiddleware(VerifyUserMiddleware):
    """wagtail-2fa's middleware, also asking for a code from anyone who has enrolled
    a device when ADMIN_2FA_REQUIRED is off (wagtail-2fa then asks no one), on every
    URL but the sign-in, sign-out and code pages themselves.

    With the setting on, wagtail-2fa's own rules apply unchanged.
    """

    def _require_verified_user(self, request):
        if settings.WAGTAIL_2FA_REQUIRED:
            return super()._require_verified_user(request)
        user = request.user
        if not user.is_authenticated:
            return False
        if resolve(request.path_info).url_name in self._allowed_url_names:
            return False
        return django_otp.user_has_device(user, confirmed=True)
