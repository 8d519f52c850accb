"""Sign-up, sign-in, passwords, and the administrators' users and audit pages."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from lms.accounts import operations
from lms.accounts.forms import (
    ROLE_LABELS,
    LoginForm,
    PasswordChangeForm,
    RegistrationForm,
    ResetPasswordForm,
    ResetRequestForm,
    RoleChangeForm,
)
from lms.accounts.models import User, UserRole
from lms.core.access import Permission, Role, public, requires, signed_in
from lms.core.audit import AuditEntry
from lms.core.db import db
from lms.core.extensions import limiter
from lms.core.forms import show_refusal
from lms.core.i18n import current_language
from lms.core.prefectures import BY_CODE
from lms.core.prefectures import choices as prefecture_choices
from lms.core.views import safe_next

bp = Blueprint("accounts", __name__, template_folder="templates")

PAGE_SIZE = 50


def _login_limit() -> str:
    return current_app.config["LMS_LOGIN_RATE_LIMIT"]


@bp.route("/register", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def register() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = RegistrationForm(current_language())
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                user = operations.register_user(
                    email=form.email.data,
                    password=form.password.data,
                    name_ja=form.name_ja.data,
                    name_latin=form.name_latin.data,
                    prefecture_code=form.prefecture_code.data,
                    organisation=form.organisation.data,
                )
            except operations.AccountError as error:
                db.session.rollback()
                show_refusal(form, error.message, error.field)
            else:
                user.locale = current_language()
                db.session.commit()
                login_user(user)
                flash(_("Welcome! Your account has been created."), "success")
                return redirect(url_for("core.index"))
        status = 422
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            user = operations.authenticate(form.email.data, form.password.data)
            db.session.commit()  # failure counts and locks are kept even when sign-in fails
            if user is not None:
                login_user(user, remember=form.remember.data)
                return redirect(safe_next(request.args.get("next")))
            form.form_errors.append(
                _("The email or password is wrong, or the account is locked for a while after too many attempts.")
            )
        status = 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@signed_in
def logout() -> Any:
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.index"))


@bp.get("/account")
@signed_in
def account() -> str:
    return render_template("accounts/account.html", user=current_user, role_labels=ROLE_LABELS)


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Any:
    form = PasswordChangeForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                operations.change_password(current_user, form.current_password.data, form.password.data)
            except operations.AccountError as error:
                db.session.rollback()
                show_refusal(form, error.message, error.field)
            else:
                db.session.commit()
                # The session token changed: sign this session in again (others are now ended).
                login_user(current_user._get_current_object())
                flash(_("Your password has been changed. Other devices have been signed out."), "success")
                return redirect(url_for("accounts.account"))
        status = 422
    return render_template("accounts/password_change.html", form=form), status


@bp.route("/password-reset", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def request_reset() -> Any:
    form = ResetRequestForm()
    if request.method == "POST":
        if form.validate():
            operations.request_password_reset(form.email.data)
            db.session.commit()
            flash(
                _("If an account uses that email, a reset link is on its way. It works once and expires soon."), "info"
            )
            return redirect(url_for("accounts.login"))
        return render_template("accounts/reset_request.html", form=form), 422
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def reset_password(token: str) -> Any:
    if operations.valid_reset_token(token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                operations.reset_password(token, form.password.data)
            except operations.AccountError as error:
                db.session.rollback()
                show_refusal(form, error.message, error.field)
            else:
                db.session.commit()
                flash(_("Your password has been reset. Please sign in."), "success")
                return redirect(url_for("accounts.login"))
        status = 422
    return render_template("accounts/reset_password.html", form=form), status


@bp.get("/admin/users")
@requires(Permission.USERS_MANAGE)
def users() -> str:
    q = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    prefecture = request.args.get("prefecture", "")
    stmt = sa.select(User).order_by(User.id)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                User.email.like(like),
                sa.func.lower(User.name_latin).like(like),
                User.name_ja.like(f"%{q}%"),
                sa.func.lower(User.organisation).like(like),
            )
        )
    if role:
        if role not in {r.value for r in Role}:
            abort(400, _("Unknown role."))
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(role))))
    if prefecture:
        if prefecture not in BY_CODE:
            abort(400, _("Unknown prefecture code."))
        stmt = stmt.where(User.prefecture_code == prefecture)
    page = db.paginate(stmt, per_page=PAGE_SIZE, max_per_page=PAGE_SIZE, error_out=True)
    return render_template(
        "accounts/admin_users.html",
        page=page,
        q=q,
        role=role,
        prefecture=prefecture,
        role_labels=ROLE_LABELS,
        prefectures=prefecture_choices(current_language(), blank=False),
    )


@bp.get("/admin/users/<int:user_id>")
@requires(Permission.USERS_MANAGE)
def user_detail(user_id: int) -> str:
    return _user_page(db.get_or_404(User, user_id), RoleChangeForm())


def _user_page(user: User, form: RoleChangeForm) -> str:
    history = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.subject_type == "user", AuditEntry.subject_id == str(user.id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(50)
    ).all()
    return render_template("accounts/admin_user.html", user=user, form=form, history=history, role_labels=ROLE_LABELS)


@bp.post("/admin/users/<int:user_id>/roles")
@requires(Permission.USERS_MANAGE)
def change_role(user_id: int) -> Any:
    user = db.get_or_404(User, user_id)
    form = RoleChangeForm()
    if form.validate():
        role = Role(form.role.data)
        change = operations.grant_role if form.action.data == "add" else operations.revoke_role
        try:
            changed = change(user, role, actor_id=current_user.id, reason=form.reason.data)
        except operations.AccountError as error:
            db.session.rollback()
            show_refusal(form, error.message, error.field)
        else:
            db.session.commit()
            if changed:
                flash(_("The roles have been updated."), "success")
            else:
                flash(_("Nothing changed: the user already had that role setting."), "info")
            return redirect(url_for("accounts.user_detail", user_id=user.id))
    return _user_page(user, form), 422


@bp.get("/admin/audit")
@requires(Permission.AUDIT_READ)
def audit_log() -> str:
    action = request.args.get("action", "").strip()[:64]
    actor = request.args.get("actor", "").strip()[:254]
    subject = request.args.get("subject", "").strip()[:64]
    since = _parse_date(request.args.get("since"))
    until = _parse_date(request.args.get("until"))
    stmt = sa.select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action.like(f"{action}%"))
    if actor:
        stmt = stmt.where(User.email == operations.normalise_email(actor))
    if subject:
        kind, _sep, ident = subject.partition(":")
        stmt = stmt.where(AuditEntry.subject_type == kind)
        if ident:
            stmt = stmt.where(AuditEntry.subject_id == ident)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until + timedelta(days=1))
    stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    page_number = request.args.get("page", 1, type=int) or 1
    if page_number < 1:
        abort(404)
    rows = db.session.execute(stmt.limit(PAGE_SIZE + 1).offset((page_number - 1) * PAGE_SIZE)).all()
    if page_number > 1 and not rows:
        abort(404)
    return render_template(
        "accounts/admin_audit.html",
        rows=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page_number=page_number,
        filters={"action": action, "actor": actor, "subject": subject,
                 "since": request.args.get("since", ""), "until": request.args.get("until", "")},
    )


def _parse_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        abort(400, _("Dates are written YYYY-MM-DD."))
    return datetime.combine(day, time.min, tzinfo=UTC)
