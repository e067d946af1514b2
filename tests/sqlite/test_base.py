"""The threads of one process take turns at SQLite's write lock (hmis/sqlite/base.py): a
transaction holds the turn from BEGIN to its end however it ends, and a thread whose turn does not
come within the busy timeout is told the database is locked."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from hmis.sqlite.base import _WRITE_TURN
from tests.sqlite.files import served_from_a_file

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


def test_a_transaction_holds_the_turn_until_it_commits_rolls_back_or_its_connection_closes(
    tmp_path,
):
    with served_from_a_file(tmp_path):
        with transaction.atomic():
            assert _WRITE_TURN.locked() and connection.holds_write_turn
        assert not _WRITE_TURN.locked()

        with pytest.raises(ZeroDivisionError), transaction.atomic():
            assert _WRITE_TURN.locked()
            1 / 0  # noqa: B018
        assert not _WRITE_TURN.locked()

        block = transaction.atomic()
        block.__enter__()
        assert _WRITE_TURN.locked()
        connection.close()
        assert not _WRITE_TURN.locked()
        block.__exit__(None, None, None)
        connection.ensure_connection()  # a new connection, clear of the closed transaction
        assert not _WRITE_TURN.locked()


def test_a_thread_whose_turn_does_not_come_within_the_busy_timeout_is_told_the_database_is_locked(
    tmp_path,
):
    outcome = {}

    def other_station():
        try:
            with transaction.atomic():
                outcome["entered"] = True
        except OperationalError as error:
            outcome["error"] = str(error)
        finally:
            connections.close_all()

    with served_from_a_file(tmp_path):
        with transaction.atomic():  # holds the turn for longer than the 0.2 s timeout
            station = threading.Thread(target=other_station)
            station.start()
            station.join(timeout=10)
        assert outcome == {"error": "database is locked"}
        assert not _WRITE_TURN.locked()
        with transaction.atomic():  # and the turn goes on
            assert connection.holds_write_turn
