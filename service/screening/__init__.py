"""Screening of bundle documents: file types, parser safety, text, identifiers, deny-lists, metadata.

The pure core: plain bytes and text in, reports out. Its shell, which loads the bundle's documents, calls it and
moves the bundle, is `service.intake.screening_service`.
"""
