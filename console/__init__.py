"""opsconsole: a terminal ops console for AI model platforms."""

__version__ = "0.1.0"
