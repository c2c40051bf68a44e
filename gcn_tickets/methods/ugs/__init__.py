"""UGS (Chen et al. 2021): iterative pruning of learned graph and weight masks."""

from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.methods.ugs.model import initial_model, model_factory, retrain_recipe
from gcn_tickets.methods.ugs.rounds import initial_state, round_seed, ugs_prune, ugs_round
from gcn_tickets.methods.ugs.run import run_ugs, summarize_run
from gcn_tickets.methods.ugs.search import Mode, Scores, search_scores, unreached_fraction

__all__ = [
    "UGSConfig",
    "Mode",
    "Scores",
    "initial_model",
    "initial_state",
    "model_factory",
    "retrain_recipe",
    "round_seed",
    "run_ugs",
    "search_scores",
    "summarize_run",
    "ugs_prune",
    "ugs_round",
    "unreached_fraction",
]
