"""Spectral audit of pruned layers and graphs (Ramanujan bound and gap, IMDB, NaRC, weighted gap).

Pure functions on scipy sparse matrices; see ``docs/spectral.md``.

- :mod:`.bipartite`: layer mask -> bi-adjacency (``unrolled`` / ``channel``), networkx export;
- :mod:`.eigen`: ``sigma_1, sigma_2`` in float64 (dense / sparse / SVD paths, BLAS pinned);
- :mod:`.metrics`: Ramanujan bound, NaRC, IMDB as pure functions of degrees and spectra;
- :mod:`.ramanujan`: :func:`layer_spectrum`, the audit of one bipartite layer;
- :mod:`.spectrum`: its result, :class:`LayerSpectrum`;
- :mod:`.audit`: :func:`audit` over a model / mask set;
- :mod:`.inputs`: masks and weights from a model, a mapping or a file;
- :mod:`.result`: :class:`AuditResult`, the summary, JSON / CSV / table / plot;
- :mod:`.graph`: spectra of a graph and of its sparsified version, GCN tickets.
"""

from gcn_tickets.spectral.audit import FIELDS, AuditResult, audit, audit_layer, load_audit_input
from gcn_tickets.spectral.bipartite import ENCODINGS, biadjacency, layer_dims, to_networkx
from gcn_tickets.spectral.eigen import blas_threads, top_singular_values
from gcn_tickets.spectral.graph import (
    GraphSpectrum,
    audit_gcn_ticket,
    graph_spectrum,
    sparsified_spectra,
)
from gcn_tickets.spectral.ramanujan import (
    METRICS,
    NARC_CONVENTIONS,
    LayerSpectrum,
    imdb_value,
    layer_spectrum,
    narc_value,
    ramanujan_bound,
)

__all__ = [
    "audit",
    "audit_layer",
    "AuditResult",
    "FIELDS",
    "load_audit_input",
    "biadjacency",
    "layer_dims",
    "to_networkx",
    "ENCODINGS",
    "top_singular_values",
    "blas_threads",
    "LayerSpectrum",
    "layer_spectrum",
    "imdb_value",
    "narc_value",
    "ramanujan_bound",
    "METRICS",
    "NARC_CONVENTIONS",
    "GraphSpectrum",
    "graph_spectrum",
    "sparsified_spectra",
    "audit_gcn_ticket",
]
