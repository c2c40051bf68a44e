"""PyG GCNs for node, link and graph tasks.

All convs are ``GCNConv(normalize=True, add_self_loops=True, cached=False)`` so that a
graph mask passed as ``edge_weight`` is renormalised every forward:
Â = D^-1/2 (A ⊙ m_g + I) D^-1/2. Layer weights are named ``convs.{i}.lin.weight``.
The convs are :class:`gcn_tickets.models.spmm.SpmmGCNConv` (a ``GCNConv``) that aggregate by
sparse products in O(E) memory instead of E × F messages, learned ``edge_weight`` included.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch_geometric.nn import global_mean_pool

from gcn_tickets.models.spmm import SpmmGCNConv

__all__ = ["GCN", "LinkPredictor", "LinkGCN", "GraphGCN", "count_parameters"]


class GCN(nn.Module):
    """Full-batch GCN (Kipf & Welling) with configurable depth.

    Args:
        in_channels: input feature size.
        hidden_channels: hidden size (Kipf: 16; UGS reference: 512).
        out_channels: output size; ``None`` makes the last conv output ``hidden_channels``
            (an encoder for link and graph heads).
        num_layers: number of GCNConv layers (default 2).
        dropout: dropout probability (default 0.5).
        input_dropout: also drop the input features before the first conv (Kipf: True;
            the UGS reference drops only after the first ReLU: False).
        batch_norm: BatchNorm1d after every hidden conv (OGB arxiv baseline).
        bias: conv bias (UGS reference: False).
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        out_channels: int | None,
        *,
        num_layers: int = 2,
        dropout: float = 0.5,
        input_dropout: bool = True,
        batch_norm: bool = False,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"num_layers must be >= 1, got {num_layers}")
        out = hidden_channels if out_channels is None else out_channels
        dims = [in_channels] + [hidden_channels] * (num_layers - 1) + [out]
        self.convs = nn.ModuleList(
            SpmmGCNConv(dims[i], dims[i + 1], cached=False, bias=bias) for i in range(num_layers)
        )
        self.norms = nn.ModuleList(
            nn.BatchNorm1d(hidden_channels) if batch_norm else nn.Identity() for _ in range(num_layers - 1)
        )
        self.dropout = dropout
        self.input_dropout = input_dropout

    def reset_parameters(self) -> None:
        for conv in self.convs:
            conv.reset_parameters()
        for norm in self.norms:
            if isinstance(norm, nn.BatchNorm1d):
                norm.reset_parameters()

    def forward(self, x: Tensor, edge_index: Tensor, edge_weight: Tensor | None = None) -> Tensor:
        if self.input_dropout:
            x = _dropout_any(x, self.dropout, self.training)
        for i, conv in enumerate(self.convs):
            x = conv(x, edge_index, edge_weight)
            if i < len(self.convs) - 1:
                x = self.norms[i](x).relu()
                x = F.dropout(x, self.dropout, self.training)
        return x


def _dropout_any(x: Tensor, p: float, training: bool) -> Tensor:
    """Dropout that also works on sparse CSR features (drops stored values only)."""
    if not training or p == 0.0:
        return x
    if x.layout == torch.sparse_csr:
        vals = F.dropout(x.values(), p, True)
        return torch.sparse_csr_tensor(
            x.crow_indices(), x.col_indices(), vals, x.shape, check_invariants=False
        )
    return F.dropout(x, p, True)


class LinkPredictor(nn.Module):
    """OGB's link predictor: an MLP on the Hadamard product x_i ⊙ x_j, sigmoid output."""

    def __init__(self, channels: int, *, num_layers: int = 3, dropout: float = 0.5) -> None:
        super().__init__()
        self.lins = nn.ModuleList(nn.Linear(channels, channels) for _ in range(num_layers - 1))
        self.lins.append(nn.Linear(channels, 1))
        self.dropout = dropout

    def forward(self, x_i: Tensor, x_j: Tensor) -> Tensor:
        x = x_i * x_j
        for lin in self.lins[:-1]:
            x = F.dropout(lin(x).relu(), self.dropout, self.training)
        return torch.sigmoid(self.lins[-1](x)).view(-1)


class LinkGCN(nn.Module):
    """GCN encoder + :class:`LinkPredictor`; learnable node embeddings when there are no features."""

    def __init__(
        self,
        num_nodes: int,
        in_channels: int,
        hidden_channels: int,
        *,
        num_layers: int = 2,
        dropout: float = 0.5,
        predictor_layers: int = 3,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.emb = nn.Embedding(num_nodes, hidden_channels) if in_channels == 0 else None
        self.encoder = GCN(
            in_channels or hidden_channels,
            hidden_channels,
            None,
            num_layers=num_layers,
            dropout=dropout,
            input_dropout=False,
            bias=bias,
        )
        self.predictor = LinkPredictor(hidden_channels, num_layers=predictor_layers, dropout=dropout)

    @property
    def convs(self) -> nn.ModuleList:
        return self.encoder.convs

    def encode(self, x: Tensor | None, edge_index: Tensor, edge_weight: Tensor | None = None):
        if self.emb is not None:
            x = self.emb.weight
        return self.encoder(x, edge_index, edge_weight)

    def forward(self, x, edge_index, edge_weight=None):  # node embeddings
        return self.encode(x, edge_index, edge_weight)


class GraphGCN(nn.Module):
    """GCN for graph classification: node encoder, GCN layers, mean pooling, linear head.

    Integer node features (OGB molecules) go through OGB's ``AtomEncoder``.
    """

    def __init__(
        self,
        in_channels: int,
        hidden_channels: int,
        out_channels: int,
        *,
        num_layers: int = 3,
        dropout: float = 0.5,
        atom_encoder: bool = False,
        batch_norm: bool = True,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if atom_encoder:
            from ogb.graphproppred.mol_encoder import AtomEncoder

            self.node_encoder: nn.Module = AtomEncoder(hidden_channels)
        else:
            self.node_encoder = nn.Linear(in_channels, hidden_channels)
        self.gnn = GCN(
            hidden_channels,
            hidden_channels,
            None,
            num_layers=num_layers,
            dropout=dropout,
            input_dropout=False,
            batch_norm=batch_norm,
            bias=bias,
        )
        self.head = nn.Linear(hidden_channels, out_channels)

    @property
    def convs(self) -> nn.ModuleList:
        return self.gnn.convs

    def forward(self, x, edge_index, batch, edge_weight=None) -> Tensor:
        h = self.node_encoder(x)
        h = self.gnn(h, edge_index, edge_weight)
        return self.head(global_mean_pool(h, batch))


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(#parameters, #non-zero parameters) of the effective (masked) weights."""
    total = nonzero = 0
    seen: set[int] = set()
    for name, p in model.named_parameters():
        if ".parametrizations." in name:
            continue
        if id(p) in seen:
            continue
        seen.add(id(p))
        total += p.numel()
        nonzero += int((p != 0).sum())
    from torch.nn.utils import parametrize

    for mod in model.modules():
        if parametrize.is_parametrized(mod):
            for pname in mod.parametrizations:
                w = getattr(mod, pname)
                total += w.numel()
                nonzero += int((w != 0).sum())
    return total, nonzero
