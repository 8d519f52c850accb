from tests.access_map import Route, only, public

ROUTES: dict[str, Route] = {
    # The public contract (DESIGN.md section 7) and its description
    "api.roster": public(),
    "api.openapi_document": public(),
    "api.docs": public(),
    # Partners' personal API tokens
    "api_tokens.index": only("partner", "administrator"),
    "api_tokens.create": only("partner", "administrator", methods=("POST",)),
    "api_tokens.revoke": only("partner", "administrator", methods=("POST",), args=lambda world: {"token_id": 999999},
                              missing={"token_id": 999998}),
}
