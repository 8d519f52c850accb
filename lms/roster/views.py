"""The roster's pages: the public roster and person pages with a contact form, and the holder's own profile.

Anonymous visitors never see an email address or phone number: the contact form mails the professional without
showing their address. Partners (``roster:contacts``) see email and phone in the list and on the person page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.core.access import Permission, public, requires
from lms.core.db import db
from lms.core.errors import render_error
from lms.core.extensions import limiter
from lms.core.forms import show_refusal
from lms.core.i18n import current_language
from lms.core.prefectures import PREFECTURES, REGIONS
from lms.roster import operations, search
from lms.roster.forms import ConsentForm, ContactForm, ProfileForm, WithdrawForm
from lms.roster.models import RosterProfile
from lms.roster.operations import RosterError
from lms.roster.taxonomy import taxonomy

bp = Blueprint(
    "roster", __name__, template_folder="templates", static_folder="static",
    static_url_path="/static/roster", url_prefix="/roster",
)

#: Per visitor (IP address) and per professional, so neither a visitor nor a crowd can flood one inbox.
CONTACT_LIMIT = "5 per hour;20 per day"
CONTACT_LIMIT_PER_PROFESSIONAL = "30 per day"
#: Saves of one's own profile, consent and withdrawal together, per account: far above any real editing, and a
#: bound on how often one person can make every app server rebuild its search index (lms/roster/index.py).
PROFILE_WRITE_LIMIT = "60 per hour"


def _is_partner() -> bool:
    return current_user.is_authenticated and current_user.can(Permission.ROSTER_CONTACTS)


def _contact_limit() -> str:
    return current_app.config.get("LMS_ROSTER_CONTACT_RATE_LIMIT", CONTACT_LIMIT)


def _profile_write_limit() -> str:
    return current_app.config.get("LMS_ROSTER_PROFILE_RATE_LIMIT", PROFILE_WRITE_LIMIT)


def _account_key() -> str:
    return f"roster-profile-of-{current_user.id if current_user.is_authenticated else None}"


_profile_writes = limiter.shared_limit(_profile_write_limit, scope="roster-profile-writes", key_func=_account_key,
                                       methods=["POST"])


def _professional_key() -> str:
    return f"roster-contact-to-{request.view_args.get('user_id') if request.view_args else ''}"


def _taxonomy_labels() -> dict[str, dict[str, Any]]:
    return {kind: {t.id: t for t in taxonomy().terms(kind)}
            for kind in ("specialties", "company_types", "organisations", "languages")}


# --- The public roster -------------------------------------------------------------------------------------------


def _page_url(page_number: int) -> str:
    """The roster URL with the current filters (empty values dropped) and another page number."""
    args = {k: [v for v in values if v] for k, values in request.args.lists() if k != "page"}
    args = {k: v for k, v in args.items() if v}
    return url_for("roster.index", **args, page=page_number)


@bp.get("")
@public
def index() -> Any:
    """The roster, filtered by ``search.parse_filters``: bad values a 400 with the message, a page too far a 404."""
    context = {
        "regions": REGIONS, "prefectures": PREFECTURES, "taxonomy": taxonomy(), "labels": _taxonomy_labels(),
        "chosen": {k: set(request.args.getlist(k)) for k in search.PARAMETERS}, "partner": _is_partner(),
        "page_url": _page_url, "page": None, "error": None,
    }
    try:
        filters = search.parse_filters(request.args)
        paging = search.parse_paging(request.args)
        context["page"] = search.search(filters, paging)
    except search.PageOutOfRange as error:
        return render_error(404, error.message)
    except search.SearchError as error:
        context["error"] = error
        return render_template("roster/index.html", **context), 400
    return render_template("roster/index.html", **context)


def _person_page(profile: RosterProfile, form: ContactForm, status: int = 200) -> Any:
    return render_template(
        "roster/person.html", profile=profile, form=form, partner=_is_partner(), labels=_taxonomy_labels(),
    ), status


@bp.get("/<int:user_id>")
@public
def person(user_id: int) -> Any:
    profile = operations.listed_profile(user_id)
    if profile is None:
        return render_error(404, _("This person is not on the roster."))
    return _person_page(profile, ContactForm())


@bp.post("/<int:user_id>/contact")
@public
@limiter.limit(_contact_limit, methods=["POST"])
@limiter.limit(CONTACT_LIMIT_PER_PROFESSIONAL, key_func=_professional_key, methods=["POST"])
def contact(user_id: int) -> Any:
    """Mail a visitor's message to a listed professional without showing the visitor their address."""
    profile = operations.listed_profile(user_id)
    if profile is None:
        return render_error(404, _("This person is not on the roster."))
    form = ContactForm()
    if not form.validate():
        return _person_page(profile, form, 422)
    operations.send_contact(profile, operations.ContactMessage(
        sender_name=form.sender_name.data.strip(), sender_email=form.sender_email.data.strip(),
        message=form.message.data.strip(),
    ))
    db.session.commit()  # the mail is queued in the outbox and goes out with this commit
    flash(_("Your message was sent to %(name)s. They will answer you at %(email)s if they can help.",
            name=profile.display_name, email=form.sender_email.data.strip()), "success")
    return redirect(url_for("roster.person", user_id=user_id), 303)


# --- The holder's own profile and consent ------------------------------------------------------------------------


def _own_page(template: str, status: int = 200, **context: Any) -> Any:
    profile = operations.profile_of(current_user.id)
    return render_template(
        f"roster/{template}", profile=profile, eligible=operations.has_valid_certificate(current_user.id),
        listed=operations.listed_profile(current_user.id) is not None, withdraw_form=WithdrawForm(),
        regions=REGIONS, prefectures=PREFECTURES, taxonomy=taxonomy(), **context,
    ), status


@bp.route("/profile", methods=["GET", "POST"])
@requires(Permission.ROSTER_PROFILE)
@_profile_writes
def profile() -> Any:
    form = ProfileForm(current_language())
    existing = operations.profile_of(current_user.id)
    if request.method == "GET":
        form.fill(operations.data_of(existing) if existing else operations.defaults_for(current_user))
        return _own_page("profile.html", form=form)
    if not form.validate():
        return _own_page("profile.html", 422, form=form)
    try:
        saved = operations.save_profile(current_user, form.to_data(), actor_id=current_user.id)
    except RosterError as error:
        db.session.rollback()
        show_refusal(form, error.message, error.field)
        return _own_page("profile.html", error.status, form=form)
    consented = saved.consented_at is not None
    db.session.commit()
    if consented:
        flash(_("Your profile is saved; the roster shows the changes now."), "success")
        return redirect(url_for("roster.profile"))
    flash(_("Your profile is saved. It is not published until you agree to be listed."), "success")
    return redirect(url_for("roster.consent"))


@bp.route("/profile/consent", methods=["GET", "POST"])
@requires(Permission.ROSTER_PROFILE)
@_profile_writes
def consent() -> Any:
    form = ConsentForm()
    if request.method == "GET":
        return _own_page("consent.html", form=form)
    try:
        operations.opt_in(current_user, agreed=bool(form.validate() and form.agree.data))
    except RosterError as error:
        db.session.rollback()
        show_refusal(form, error.message, error.field)
        return _own_page("consent.html", error.status, form=form)
    db.session.commit()
    flash(_("You are on the roster now. You can leave it at any time from your roster profile."), "success")
    return redirect(url_for("roster.person", user_id=current_user.id))


@bp.post("/profile/withdraw")
@requires(Permission.ROSTER_PROFILE)
@_profile_writes
def withdraw() -> Any:
    form = WithdrawForm()
    if not form.validate():
        return render_error(400)
    try:
        operations.opt_out(current_user)
    except RosterError as error:
        db.session.rollback()
        return render_error(error.status, error.message)
    db.session.commit()
    flash(_("You have left the roster: your entry is no longer shown. Your profile is kept if you want to "
            "join again."), "success")
    return redirect(url_for("roster.profile"))
