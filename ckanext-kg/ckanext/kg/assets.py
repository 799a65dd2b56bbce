"""CKAN's asset bundles (webassets), built once when the portal starts.

With webassets' `auto_build`, which CKAN leaves on, every bundle a page
includes checks the time of each of its source files on every request, to
build it again if one changed: about a tenth of the `/dataset` page's
time (docs/search.md, "The catalogue pages rendered"). The portal's
sources change only with a new release, which restarts the portal; so each
process builds every bundle once, where its output is missing or older
than its sources, when its application is made, and then serves the URLs
of what it built (`ckanext.kg.assets.checked_on_each_request` keeps the
check, for someone changing scripts or styles while the portal runs).
"""
from __future__ import annotations

from typing import Any


def build_once(config: Any) -> None:
    """Build every registered bundle that needs it, then stop checking."""
    if config.get("ckanext.kg.assets.checked_on_each_request"):
        return
    from ckan.lib import webassets_tools
    env = webassets_tools.env
    if env is None:
        return
    for bundle in env:
        bundle.urls()  # builds it when its output is missing or stale
    env.auto_build = False
