from tests.access_map import Route, only, public

#: No listed person has this id (the walk creates no roster profiles).
NOBODY = {"user_id": 2_000_000_000}

ROUTES: dict[str, Route] = {
    # The public roster and person pages (a page of an unlisted person is a 404 for everyone)
    "roster.index": public(),
    "roster.person": public(args=lambda world: NOBODY, ok=404),
    "roster.contact": public(methods=("POST",), args=lambda world: NOBODY),
    # Trainees keep their own profile (without a valid certificate the page explains why they cannot join)
    "roster.profile": only("trainee", methods=("GET", "POST")),
    "roster.consent": only("trainee", methods=("GET", "POST")),
    "roster.withdraw": only("trainee", methods=("POST",)),
}
