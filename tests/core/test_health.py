import pytest

from lms import create_app
from tests.helpers import app_config


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.no_transaction
def test_healthz_answers_503_when_the_database_does_not():
    # Nothing listens on port 1: the connection is refused at once.
    broken = create_app(app_config("postgresql+psycopg://lms@127.0.0.1:1/lms?connect_timeout=2"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
