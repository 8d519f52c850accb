from tests.access_map import Route, public

ROUTES: dict[str, Route] = {
    "core.index": public(),
    "core.healthz": public(),
    "core.set_language": public(methods=("POST",)),
}
