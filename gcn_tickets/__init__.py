"""gcn_tickets: lottery tickets for graph neural networks.

Joint graph-and-weight masks on PyG GCNs (UGS, GEBT), pruning at
initialisation, and spectral (Ramanujan / expander) audits of pruned layers.
"""

from gcn_tickets.masks import GRAPH_KEY, MaskError, MaskSet
from gcn_tickets.pai import prune_at_init

__version__ = "0.1.0"

__all__ = ["MaskSet", "MaskError", "GRAPH_KEY", "__version__", "prune_at_init"]
