"""Ticket methods: UGS, GEBT, the early-bird detector, pruning at initialisation."""
