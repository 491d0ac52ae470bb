"""One NewsfuseError tree; third-party exceptions are translated at the boundary."""
from __future__ import annotations


class NewsfuseError(Exception):
    """Base of every error newsfuse raises on purpose. The CLI prints it as one line and exits 2."""


class ConfigError(NewsfuseError, ValueError):
    """A parameter is out of range or inconsistent."""


class InputError(NewsfuseError):
    """An input file, URL or record cannot be read. Carries the path and a snake_case reason."""

    def __init__(self, path: str, reason: str, detail: str = ""):
        self.path, self.reason, self.detail = path, reason, detail
        super().__init__(f"{path}: {reason}" + (f" ({detail})" if detail else ""))


class StoreError(NewsfuseError):
    """The store cannot be opened, migrated or written."""


class StoreBusyError(StoreError):
    """A run holds the store's run lock longer than an analyst edit waits for it; the edit changed nothing."""


class NotFoundError(NewsfuseError, KeyError):
    """A story or article id that the store does not hold."""

    def __str__(self) -> str:  # KeyError quotes its message; we don't want that
        return str(self.args[0]) if self.args else "not found"


class MissingDependencyError(NewsfuseError, ImportError):
    """An optional dependency is not installed; the message carries the exact pip install line."""

    def __init__(self, module: str, extra: str):
        super().__init__(f"{module} is not installed; run: pip install 'newsfuse[{extra}]'")


def require(module: str, extra: str):
    """Import an optional dependency or raise MissingDependencyError with the install line."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module, extra) from exc


__all__ = ["ConfigError", "InputError", "MissingDependencyError", "NewsfuseError", "NotFoundError",
           "StoreBusyError", "StoreError", "require"]
