"""The site user, in whose name the portal's own writes are made."""
from __future__ import annotations

from typing import Any


def site_context() -> dict[str, Any]:
    """An action context of the site user: internal writes are attributed to
    it (CKAN's activity stream needs a real user)."""
    import ckan.plugins.toolkit as tk
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": True}
