"""The leaders' page and API of the service index: one stacked bar per agency, drawn on the server as SVG."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from feedback.statistics import Statistics

# One colour per group, in the order of the rules; dark enough for white text and 3:1 against white.
COLOURS = ("#0b4f9c", "#1d6b2c", "#8a4b00", "#6a1b9a", "#a4121c", "#00626b", "#5c5c5c")
BAR_WIDTH = 600  # pixels for 100 points
ROW = 28


def chart(index: dict[str, Any]) -> dict[str, Any]:
    """The geometry of the stacked bars: per agency, one segment per group, scaled to its points."""
    total = sum(g["points"] for g in index["groups"]) or 100
    rows = []
    for n, agency in enumerate(index["agencies"]):
        x, segments = 0.0, []
        for colour, group in zip(COLOURS, agency["groups"], strict=False):
            width = BAR_WIDTH * group["score"] / total
            segments.append({"x": round(x, 1), "width": round(width, 1), "colour": colour, "label": group["label"],
                             "score": group["score"]})
            x += width
        rows.append({"y": n * ROW, "agency": agency["agency"], "score": agency["score"], "segments": segments,
                     "end": round(x, 1)})
    legend = [{"label": g["label"], "colour": c} for c, g in zip(COLOURS, index["groups"], strict=False)]
    return {"rows": rows, "legend": legend, "width": BAR_WIDTH, "height": max(len(rows), 1) * ROW}


def blueprint(statistics: Statistics) -> Blueprint:
    bp = Blueprint("leaders", __name__)

    @bp.get("/api/v1/index")
    def index_api() -> Response:
        return jsonify(statistics.index(request.args.get("period") or statistics.this_year()))

    @bp.get("/chi-so")
    def index_page() -> str:
        index = statistics.index(request.args.get("period") or statistics.this_year())
        return render_template("index.html", index=index, chart=chart(index))

    return bp
