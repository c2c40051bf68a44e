"""Tickets: what every method shares after its search (retraining, controls, costs)."""
