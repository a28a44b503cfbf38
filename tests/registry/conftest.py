import pytest

from registry.models import Municipality, Profession
from tests.factories import UserFactory


@pytest.fixture
def applicant(db):
    """Signed up and verified, no role yet: starts the onboarding wizard."""
    return UserFactory()


@pytest.fixture
def utrecht():
    return Municipality.objects.valid_on().get(code="GM0344")


@pytest.fixture
def nurse():
    return Profession.objects.get(code="verpleegkundige")
