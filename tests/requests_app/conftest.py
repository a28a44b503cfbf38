import pytest

from tests.requests_app.factories import active_crisis


@pytest.fixture
def crisis(db):
    return active_crisis()
