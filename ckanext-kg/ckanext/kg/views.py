"""Pages of the data-exchange code: a dataset's compliance."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

kg = Blueprint("kg", __name__)


@kg.route("/dataset/<id>/compliance")
def compliance(id: str):
    context = {"user": tk.current_user.name if tk.current_user else ""}
    try:
        dataset = tk.get_action("package_show")(dict(context), {"id": id})
        result = tk.get_action("kg_compliance_show")(dict(context), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Dataset not found"))
    return tk.render("kg/compliance.html",
                     {"pkg_dict": dataset, "pkg": dataset, "compliance": result,
                      "dataset_type": dataset["type"]})


__all__ = ["kg"]
