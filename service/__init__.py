"""Planwright: the backend for outsourced EHCP plan writing."""
