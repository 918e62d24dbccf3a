"""The address /toy-map on a fresh server's first request (see :mod:`pages.ui.routing`)."""
from pages.ui.routing import require_shell

require_shell(__file__)
