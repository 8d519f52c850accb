import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.access import Role
from lms.core.audit import AuditEntry
from lms.core.db import db


def _admin(make_user, login):
    return login(make_user(Role.ADMINISTRATOR, email="boss@example.org", name_latin="Boss Admin"))


def test_users_page_searches_and_filters(client, make_user, login):
    _admin(make_user, login)
    make_user(email="sato@example.org", name_ja="佐藤 一郎", name_latin="Ichiro Sato", prefecture_code="01")
    make_user(Role.INSTRUCTOR, email="suzuki@example.org", name_latin="Jiro Suzuki", prefecture_code="47")
    page = client.get("/admin/users?q=sato").get_data(as_text=True)
    assert "sato@example.org" in page and "suzuki@example.org" not in page
    assert "sato@example.org" in client.get("/admin/users?q=佐藤").get_data(as_text=True)
    by_role = client.get("/admin/users?role=instructor").get_data(as_text=True)
    assert "suzuki@example.org" in by_role and "sato@example.org" not in by_role
    by_pref = client.get("/admin/users?prefecture=47").get_data(as_text=True)
    assert "suzuki@example.org" in by_pref and "sato@example.org" not in by_pref
    assert client.get("/admin/users?role=wizard").status_code == 400
    assert client.get("/admin/users?prefecture=99").status_code == 400
    assert client.get("/admin/users?page=99").status_code == 404


def test_grant_and_remove_roles_are_audited(client, make_user, login):
    admin = _admin(make_user, login)
    user = make_user()
    response = client.post(
        f"/admin/users/{user.id}/roles", data={"role": "instructor", "action": "add", "reason": "teaches patents"}
    )
    assert response.status_code == 302
    assert Role.INSTRUCTOR in db.session.get(User, user.id).roles
    client.post(f"/admin/users/{user.id}/roles", data={"role": "trainee", "action": "remove", "reason": "now staff"})
    assert db.session.get(User, user.id).roles == {Role.INSTRUCTOR}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.like("role.%")).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.details["role"], e.reason, e.actor_id) for e in entries] == [
        ("role.grant", "instructor", "teaches patents", admin.id),
        ("role.revoke", "trainee", "now staff", admin.id),
    ]
    history = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "teaches patents" in history


def test_role_changes_refuse_bad_input_and_change_nothing(client, make_user, login):
    admin = _admin(make_user, login)
    user = make_user()
    cases = [
        ({"role": "instructor", "action": "add", "reason": ""}, 422),
        ({"role": "wizard", "action": "add", "reason": "x"}, 422),
        ({"role": "instructor", "action": "explode", "reason": "x"}, 422),
    ]
    for data, status in cases:
        assert client.post(f"/admin/users/{user.id}/roles", data=data).status_code == status
    assert db.session.get(User, user.id).roles == {Role.TRAINEE}
    last_admin = client.post(
        f"/admin/users/{admin.id}/roles", data={"role": "administrator", "action": "remove", "reason": "oops"}
    )
    assert last_admin.status_code == 422
    assert "last administrator" in last_admin.get_data(as_text=True)
    assert Role.ADMINISTRATOR in db.session.get(User, admin.id).roles
    role_entries = sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action.like("role.%"))
    assert db.session.scalar(role_entries) == 0


def test_audit_log_is_browsable_and_filterable(client, make_user, login):
    admin = _admin(make_user, login)
    user = make_user(email="target@example.org")
    client.post(f"/admin/users/{user.id}/roles", data={"role": "partner", "action": "add", "reason": "joins JCCI"})
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert "role.grant" in everything and "user.create" in everything
    only_roles = client.get("/admin/audit?action=role.").get_data(as_text=True)
    assert "role.grant" in only_roles and "user.create" not in only_roles
    by_actor = client.get(f"/admin/audit?actor={admin.email}").get_data(as_text=True)
    assert "joins JCCI" in by_actor
    by_subject = client.get(f"/admin/audit?subject=user:{user.id}").get_data(as_text=True)
    assert "joins JCCI" in by_subject
    assert client.get("/admin/audit?since=2026-13-45").status_code == 400
    assert client.get("/admin/audit?page=50").status_code == 404
