"""Which address a request comes from, behind the reverse proxies the README documents.

Each proxy appends the address it was reached from to X-Forwarded-For, so behind N proxies the
client is the N-th address from the right, whatever the client itself wrote to the left of it.
django-ipware (which axes uses) counts only the proxies listed *after* the client in that header:
N - 1, since the proxy nearest the app is REMOTE_ADDR, not listed. Not strict, so forged entries
to the left of the client are skipped rather than making the header unusable (which would key
every attempt on the proxy's address again).

Pure settings, no Django import: `hokenfukushi.settings` reads it at start-up.
"""

from __future__ import annotations


def client_address_settings(proxy_count: int) -> dict[str, object]:
    """The axes and django-ipware settings for `proxy_count` proxies in front of the app
    (README: AXES_IPWARE_PROXY_COUNT); 0 means clients connect directly (REMOTE_ADDR)."""
    if proxy_count < 0:
        raise ValueError("AXES_IPWARE_PROXY_COUNT must be 0 or more")
    if proxy_count == 0:
        return {
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",),
            "IPWARE_STRICT": False,
        }
    return {
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "IPWARE_STRICT": False,
    }
