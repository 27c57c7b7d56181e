"""The acme team's templates; pystarter finds them through the ``pystarter.templates`` group."""

from pathlib import Path

#: Relative paths are resolved against this package's folder by pystarter; absolute is clearer.
SERVICE_TEMPLATE = Path(__file__).parent / "service"
