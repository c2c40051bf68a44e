"""GEBT (You et al. 2022): joint early-bird tickets for graph and weights."""

from gcn_tickets.methods.gebt.config import *  # noqa: F401,F403
from gcn_tickets.methods.gebt.config import __all__ as _config_all
from gcn_tickets.methods.gebt.model import model_factory, retrain_recipe
from gcn_tickets.methods.gebt.retrain import retrain_masks, retrain_pair
from gcn_tickets.methods.gebt.run import run_seed
from gcn_tickets.methods.gebt.runner import run_gebt, summarize_pairs
from gcn_tickets.methods.gebt.search import (
    PairTicket,
    SearchResult,
    gebt_search,
)

__all__ = [
    *_config_all,
    "PairTicket",
    "SearchResult",
    "gebt_search",
    "model_factory",
    "retrain_recipe",
    "retrain_masks",
    "retrain_pair",
    "run_seed",
    "run_gebt",
    "summarize_pairs",
]
