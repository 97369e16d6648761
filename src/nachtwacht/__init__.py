"""Nachtwacht: for people whose nights go wrong, and the clinicians who help them."""

__version__ = "0.1.0"
