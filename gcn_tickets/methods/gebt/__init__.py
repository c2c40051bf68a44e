"""GEBT (You et al. 2022): joint early-bird tickets for graph and weights."""

from gcn_tickets.methods.gebt.config import *  # noqa: F401,F403
from gcn_tickets.methods.gebt.config import __all__ as _config_all
from gcn_tickets.methods.gebt.search import *  # noqa: F401,F403
from gcn_tickets.methods.gebt.search import __all__ as _search_all

__all__ = [*_config_all, *_search_all]
