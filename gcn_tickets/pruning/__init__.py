"""Pruning: pure functions from scores to masks (one exact-count top-k), edge priors."""
