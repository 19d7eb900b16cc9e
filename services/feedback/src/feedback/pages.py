"""The citizens' pages, rendered on the server and usable without JavaScript: rate by link, kiosk, complaints."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    redirect,
    render_template,
    request,
    url_for,
)
from motcua.errors import DomainError
from werkzeug.datastructures import MultiDict

from feedback.api.ratings import tell_problems
from feedback.complaints import CATEGORIES, ComplaintService, Filing
from feedback.errors import TooManyRequests
from feedback.policy import CRITERIA, PROBLEMS, Policy
from feedback.service import Ballot, FeedbackService

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# Seconds the kiosk shows its thanks before waiting for the next citizen, and between looks for a session.
KIOSK_THANKS_SECONDS = 8
KIOSK_POLL_SECONDS = 3


def form_ballot(form: MultiDict[str, str], policy: Policy) -> Ballot:
    """A ballot from a posted form; values that are not numbers stay as they are, to be refused by the rules."""
    def number(value: str | None) -> Any:
        return int(value) if value is not None and value.isdigit() else value

    criteria = {c: number(form.get(f"c_{c}")) for c in policy.criteria if form.get(f"c_{c}")}
    return Ballot(level=number(form.get("level")), criteria=criteria, comment=form.get("comment", ""))


def ballot_context(policy: Policy) -> dict[str, Any]:
    return {"policy": policy, "levels": policy.levels, "questions": CRITERIA}


def register_filters(app: Flask) -> None:
    app.add_template_filter(lambda moment: moment.astimezone(LOCAL).strftime("%d/%m/%Y"), "local_date")


def blueprint(service: FeedbackService, complaints: ComplaintService) -> Blueprint:
    bp = Blueprint("pages", __name__)

    @bp.errorhandler(DomainError)
    def failed(error: DomainError) -> Response:
        message = error.detail_vi or error.detail
        body = render_template("error.html", message=message, errors=error.errors, back=request.referrer)
        response = Response(body, status=error.http_status, mimetype="text/html")
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    def citizen() -> None:
        service.throttle(request.remote_addr or "", "citizen")

    @bp.get("/r/<code>")
    def rate_form(code: str) -> str:
        citizen()
        token = request.args.get("t", "")
        dossier, policy = service.link_form(code, token)
        return render_template("rate.html", dossier=dossier, token=token, action=url_for("pages.rate", code=code),
                               **ballot_context(policy))

    @bp.get("/r/<code>/qr.svg")
    def qr_code(code: str) -> Response:
        """The QR code of a rating link, for the receipt and the counter: the link itself, checked first."""
        citizen()
        token = request.args.get("t", "")
        service.links.verify(token, code, service.clock())
        link = f"{service.settings.public_url}{url_for('pages.rate_form', code=code, t=token)}"
        svg = io.BytesIO()
        segno.make(link, error="m").save(svg, kind="svg", scale=4, xmldecl=False, title=f"Đánh giá hồ sơ {code}")
        return Response(svg.getvalue(), mimetype="image/svg+xml",
                        headers={"Cache-Control": "private, max-age=3600"})

    @bp.post("/r/<code>")
    def rate(code: str) -> tuple[str, int]:
        citizen()
        dossier, policy = service.link_form(code, request.form.get("t", ""))
        rating = service.rate_by_link(code=dossier["_id"], token=request.form.get("t", ""),
                                      ballot=form_ballot(request.form, policy))
        return render_template("thanks.html", rating=rating, problems=PROBLEMS), 201

    @bp.post("/danh-gia/<key>/chua-tot")
    def problems(key: str) -> str:
        citizen()
        form = request.form
        told = tell_problems(service, complaints, key, form.get("follow_up", ""), form.getlist("problems"),
                             form.get("complaint") == "yes", form.get("content", ""), form.get("contact", ""))
        return render_template("told.html", complaint=told["complaint"])

    @bp.get("/kiosk/<counter>")
    def kiosk(counter: str) -> str:
        session = service.kiosk_session(counter)
        if session is None:
            return render_template("kiosk.html", counter=counter, session=None, refresh=KIOSK_POLL_SECONDS)
        return render_template("kiosk.html", counter=counter, session=session,
                               action=url_for("pages.rate_at_kiosk", counter=counter),
                               **ballot_context(service.kiosk_policy(session)))

    @bp.post("/kiosk/<counter>")
    def rate_at_kiosk(counter: str) -> tuple[str, int]:
        session = service.kiosk_session(counter)
        policy = service.kiosk_policy(session) if session else Policy(3, ())
        rating = service.rate_at_kiosk(counter=counter, session_id=request.form.get("session", ""),
                                       ballot=form_ballot(request.form, policy))
        refresh = None if rating["low"] else f"{KIOSK_THANKS_SECONDS};url={url_for('pages.kiosk', counter=counter)}"
        return render_template("thanks.html", rating=rating, problems=PROBLEMS, kiosk=True, refresh=refresh), 201

    @bp.get("/phan-anh")
    def complaint_form() -> str:
        form = {"dossier_code": request.args.get("ma_ho_so", ""), "agency_id": "", "category": "other",
                "content": "", "contact": ""}
        return render_template("complaint_form.html", form=form, categories=CATEGORIES,
                               answer_days=complaints.answer_days)

    @bp.post("/phan-anh")
    def file_complaint() -> Response:
        citizen()
        form = request.form
        filed = complaints.file(Filing(content=form.get("content", ""), category=form.get("category", ""),
                                       dossier_code=form.get("dossier_code", ""), agency_id=form.get("agency_id", ""),
                                       contact=form.get("contact", "")))
        return redirect(url_for("pages.complaint", complaint_id=filed["id"], key=filed["key"]), 303)

    @bp.get("/phan-anh/<complaint_id>")
    def complaint(complaint_id: str) -> str:
        key = request.args.get("key", "")
        shown = complaints.view(complaint_id, key)
        levels = service.policies.of(shown["agency_id"]).levels
        return render_template("complaint.html", complaint=shown, key=key, levels=levels)

    @bp.post("/phan-anh/<complaint_id>/danh-gia")
    def rate_answer(complaint_id: str) -> Response:
        citizen()
        key = request.form.get("key", "")
        level = request.form.get("level", "")
        complaints.rate_answer(complaint_id, key=key, level=int(level) if level.isdigit() else level)
        return redirect(url_for("pages.complaint", complaint_id=complaint_id, key=key), 303)

    return bp
