"""HMIS batch services."""
