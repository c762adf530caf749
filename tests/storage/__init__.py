"""Tests of the storage port and its adapters."""
