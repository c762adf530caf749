"""Screening of bundle documents: file types, parser safety, text, identifiers, deny-lists, metadata."""
