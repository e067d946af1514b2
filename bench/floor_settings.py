"""The app's own settings, with the floor's route added (bench/floor.py): `bench/scan.py` serves
the app and the floor from one `hmis serve`, so both pay the same server, middleware and
database connection."""

from hmis.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
