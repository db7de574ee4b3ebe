"""The board's pages of voting."""
from coop.voting import bp  # noqa: F401
