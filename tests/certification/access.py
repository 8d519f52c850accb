from tests.access_map import Route, only, public, signed_in

NO_CERT = {"public_id": "AAAAAAAAAAAAAAAAAAAAAA"}
NO_TRACK = {"track_id": "no-such-track"}

ROUTES: dict[str, Route] = {
    # The public contracts (DESIGN.md section 7)
    "credentials.verify": public(args=lambda world: NO_CERT, ok=404, missing={"public_id": "not a valid id!"}),
    "credentials.credential": public(args=lambda world: NO_CERT, ok=404),
    "credentials.status_list": public(args=lambda world: {"list_id": "revocation"}, missing={"list_id": "other"}),
    "credentials.jwks": public(),
    "credentials.issuer": public(),
    # Trainees
    "certification.eligibility": only("trainee", args=lambda world: NO_TRACK, ok=404),
    "certification.request_certificate": only("trainee", methods=("POST",), args=lambda world: NO_TRACK),
    "certification.mine": only("trainee"),
    "certification.pdf": signed_in(args=lambda world: NO_CERT, ok=404),
    # Administrators
    "certification.queue": only("administrator"),
    "certification.bulk_issue": only("administrator", methods=("POST",)),
    "certification.certificate": only("administrator", args=lambda world: NO_CERT, ok=404),
    "certification.issue": only("administrator", methods=("POST",), args=lambda world: NO_CERT),
    "certification.reject": only("administrator", methods=("POST",), args=lambda world: NO_CERT),
    "certification.revoke": only("administrator", methods=("POST",), args=lambda world: NO_CERT),
    "certification.renew": only("administrator", methods=("POST",), args=lambda world: NO_CERT),
    "certification.record_ce": only("administrator", methods=("POST",), args=lambda world: NO_CERT),
}
