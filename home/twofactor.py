"""Optional TOTP two-factor sign-in for the admin (wagtail-2fa on django-otp).

wagtail-2fa 1.8's code form sends no device choice, and django-otp 1.7.1 and later
refuse a code without one ("Please select a device."), so with the current
releases nobody with a device could ever finish signing in. This form picks the
staff member's own TOTP device itself; lmn_cms/urls.py serves the sign-in view with
it at wagtail-2fa's own address.
"""

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail_2fa.forms import TokenForm
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
    """wagtail-2fa's code form, checking the code against the user's own device."""

    def _chosen_device(self, user):
        return device_for_code(user, self.cleaned_data.get("otp_token"))


class SiteTwoFactorLoginView(LoginView):
    """wagtail-2fa's "enter your code" view with the form above."""

    form_class = SiteTokenForm
