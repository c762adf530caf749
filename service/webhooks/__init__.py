"""Signed webhooks to LA endpoints: the registry, the dispatcher and the delivery actor."""
