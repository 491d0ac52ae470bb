# The store backends (an SQLite file, a fresh PostgreSQL database) for the tests about the store.
from .backends import backend  # noqa: F401
