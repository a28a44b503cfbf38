"""The backup drill restores a dump whose tables, counts and sample rows equal the source."""

import pytest
from django.db import connection

from tests.reliability.backup_drill import drill, snapshot
from tests.reliability.conftest import needs_postgres


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_give_the_same_data(reservist_record, organisation):
    db = connection.settings_dict
    url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    before = snapshot(url)
    assert before["registry_reservist"][0] >= 1  # the drill compares real data
    assert drill(url) == []
