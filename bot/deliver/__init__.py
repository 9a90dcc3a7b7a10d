"""Delivery: the outbox dispatcher and the channels it delivers through."""
