"""Reads of the security app; each takes the acting user and goes through the scope."""
