"""UGS (Chen et al. 2021): iterative pruning of learned graph and weight masks."""

from gcn_tickets.methods.ugs.config import UGSConfig
from gcn_tickets.methods.ugs.search import *  # noqa: F401,F403
from gcn_tickets.methods.ugs.search import __all__ as _search_all

__all__ = ["UGSConfig", *_search_all]
