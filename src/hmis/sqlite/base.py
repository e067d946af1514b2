"""Django's SQLite backend, with the threads of one server process queueing for the write lock.

SQLite has one writer. A transaction here begins IMMEDIATE (it takes the write lock first, so two
scans never fail midway on each other), and a connection that finds the lock taken polls for it,
sleeping longer and longer between tries (up to 100 ms), up to its busy timeout. Under many
stations that polling is unfair: a scan that has waited a while sleeps through the moments the
lock is free while newer ones take it, and may wait out the whole timeout. So the threads of one
process first queue on a lock of their own, handed over the moment a transaction ends, and only
the thread at its head asks SQLite; other processes (the job worker, a second server) still meet
it through SQLite's own wait. `hmis serve` runs one process of several threads on SQLite for this
reason.

An in-memory database (the tests') is left as Django has it: its connection is shared."""

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_WRITE_TURN = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    holds_write_turn = False

    def _start_transaction_under_autocommit(self):
        if self.is_in_memory_db():
            return super()._start_transaction_under_autocommit()
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        if not _WRITE_TURN.acquire(timeout=timeout):
            # The same error as SQLite's own lock timeout: database_busy.py answers it with 503.
            raise OperationalError("database is locked")
        self.holds_write_turn = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_write_turn()
            raise

    def _end_write_turn(self):
        if self.holds_write_turn:
            self.holds_write_turn = False
            _WRITE_TURN.release()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_write_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_write_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_write_turn()
