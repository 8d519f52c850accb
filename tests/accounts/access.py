from tests.access_map import Route, only, public, signed_in

ROUTES: dict[str, Route] = {
    "accounts.register": public(signed_in_status=302),
    "accounts.login": public(signed_in_status=302),
    "accounts.logout": signed_in(methods=("POST",), ends_session=True),
    "accounts.account": signed_in(),
    "accounts.change_password": signed_in(),
    "accounts.request_reset": public(),
    "accounts.reset_password": public(args=lambda world: {"token": "no-such-token"}, ok=404),
    "accounts.users": only("administrator"),
    "accounts.user_detail": only(
        "administrator", args=lambda world: {"user_id": world["trainee"].id}, missing={"user_id": 999_999}
    ),
    "accounts.change_role": only(
        "administrator",
        methods=("POST",),
        args=lambda world: {"user_id": world["trainee"].id},
        missing={"user_id": 999_999},
    ),
    "accounts.audit_log": only("administrator"),
}
