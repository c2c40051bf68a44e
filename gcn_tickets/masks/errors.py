"""The error every mask check raises."""

__all__ = ["MaskError"]


class MaskError(ValueError):
    """A mask (or a mask file) is invalid; the message says what and how to fix it."""
