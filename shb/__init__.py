"""Socialt hållbart Borås: indicator data by area and group, for following up the programme."""

__version__ = "0.1.0"
