"""emoai core: the ML work behind the `emoai` command, free of any CLI or TUI import."""

from emoai_core.base.settings import ensure_service_env

__version__ = "0.1.0"

# Ray reads RAY_AUTH_MODE when it is imported; set emoai's defaults before any module imports it.
ensure_service_env()
