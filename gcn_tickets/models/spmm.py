"""Weighted sparse aggregation whose backward reaches the edge weights in O(E) memory.

A learned graph mask enters a GCN as ``edge_weight``. PyG's default ``propagate`` then
materialises one E × F message tensor per layer and keeps ``x_j`` (another E × F) for the
edge-weight gradient. Here the same layer is three sparse products, none of which stores
an E × F tensor (PyG's ``source_to_target`` flow: edge e runs ``src_e -> dst_e``)::

    out[i]      = Σ_{e: dst_e = i} w_e · x[src_e]        CSR(A) @ x
    ∂L/∂x[j]    = Σ_{e: src_e = j} w_e · g[dst_e]        CSR(Aᵀ) @ g
    ∂L/∂w_e     = ⟨g[dst_e], x[src_e]⟩                  sampled_addmm on A's pattern

:class:`SpmmGCNConv` is PyG's ``GCNConv`` (same parameters, same state_dict names) that
takes this path for every ``[2, E]`` ``edge_index``; a learned mask then costs one extra
sampled product per layer. Sparse adjacencies and cached convs use PyG's own forward.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import torch
from torch import Tensor
from torch_geometric.nn import GCNConv
from torch_geometric.nn.conv.gcn_conv import gcn_norm

__all__ = ["CSRPlan", "csr_plan", "edge_weighted_spmm", "SpmmGCNConv"]


@dataclass(frozen=True)
class CSRPlan:
    """Edge orderings of one ``edge_index``: by destination (A) and by source (Aᵀ)."""

    num_edges: int
    num_nodes: int
    perm: Tensor  # edges sorted by dst
    crow: Tensor
    col: Tensor
    perm_t: Tensor  # edges sorted by src
    crow_t: Tensor
    col_t: Tensor


def _crow(index_sorted: Tensor, n: int) -> Tensor:
    counts = torch.bincount(index_sorted, minlength=n)
    return torch.cat([counts.new_zeros(1), counts.cumsum(0)])


def csr_plan(edge_index: Tensor, num_nodes: int) -> CSRPlan:
    """Sort the edges once per graph (O(E log E)); reused by every forward and backward."""
    if edge_index.dim() != 2 or edge_index.size(0) != 2:
        raise ValueError(f"edge_index must have shape [2, E], got {tuple(edge_index.shape)}")
    src, dst = edge_index[0], edge_index[1]
    perm = torch.sort(dst, stable=True).indices
    perm_t = torch.sort(src, stable=True).indices
    return CSRPlan(
        num_edges=edge_index.size(1),
        num_nodes=num_nodes,
        perm=perm,
        crow=_crow(dst[perm], num_nodes),
        col=src[perm],
        perm_t=perm_t,
        crow_t=_crow(src[perm_t], num_nodes),
        col_t=dst[perm_t],
    )


def _csr(crow: Tensor, col: Tensor, values: Tensor, n: int) -> Tensor:
    with warnings.catch_warnings():  # "CSR support is in beta": the products used here are stable
        warnings.simplefilter("ignore", UserWarning)
        return torch.sparse_csr_tensor(crow, col, values, size=(n, n), check_invariants=False)


class _EdgeWeightedSpmm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, edge_weight: Tensor, x: Tensor, plan: CSRPlan) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(edge_weight, x)
        ctx.plan = plan
        a = _csr(plan.crow, plan.col, edge_weight[plan.perm], plan.num_nodes)
        return a @ x

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore[override]
        edge_weight, x = ctx.saved_tensors
        plan: CSRPlan = ctx.plan
        grad = grad.contiguous()
        gw = gx = None
        if ctx.needs_input_grad[1]:
            at = _csr(plan.crow_t, plan.col_t, edge_weight[plan.perm_t], plan.num_nodes)
            gx = at @ grad
        if ctx.needs_input_grad[0]:  # ⟨g[dst_e], x[src_e]⟩ at the stored entries only
            pattern = _csr(plan.crow, plan.col, edge_weight.new_zeros(edge_weight.numel()), plan.num_nodes)
            vals = torch.sparse.sampled_addmm(pattern, grad, x.t(), beta=0.0).values()
            gw = torch.empty_like(edge_weight)
            gw[plan.perm] = vals
        return gw, gx, None


def edge_weighted_spmm(edge_weight: Tensor, x: Tensor, plan: CSRPlan) -> Tensor:
    """``out[i] = Σ_{e: dst_e=i} edge_weight[e] · x[src_e]`` with gradients to both inputs.

    Extra memory is O(E) (the sorted orderings and one value array), never E × F.
    """
    if edge_weight.dim() != 1 or edge_weight.numel() != plan.num_edges:
        raise ValueError(
            f"edge_weight must have shape [{plan.num_edges}] (one per edge), got {tuple(edge_weight.shape)}"
        )
    if x.dim() != 2 or x.size(0) != plan.num_nodes:
        raise ValueError(f"x must have shape [{plan.num_nodes}, F], got {tuple(x.shape)}")
    return _EdgeWeightedSpmm.apply(edge_weight, x.contiguous(), plan)


class SpmmGCNConv(GCNConv):
    """``GCNConv`` whose aggregation runs :func:`edge_weighted_spmm`.

    Taken whenever ``edge_index`` is a dense ``[2, E]`` tensor, ``normalize=True`` and
    ``cached=False`` (learned masks, fixed tickets and evaluation alike); the normalisation
    is PyG's ``gcn_norm`` (with ``edge_weight`` or without), so the result equals
    ``GCNConv``'s to float rounding. Sparse adjacencies and cached convs go to PyG's own
    forward. The sorted edge orderings are cached per ``edge_index`` object (and its
    in-place version counter).
    """

    _plan_key: tuple[Tensor, int, int] | None = None
    _plan: CSRPlan | None = None

    def forward(self, x: Tensor, edge_index, edge_weight: Tensor | None = None) -> Tensor:  # type: ignore[override]
        fast = (
            isinstance(edge_index, Tensor)
            and edge_index.layout == torch.strided
            and self.normalize
            and not self.cached
            and self.flow == "source_to_target"
        )
        if not fast:
            return super().forward(x, edge_index, edge_weight)
        n = x.size(self.node_dim)
        ei, ew = gcn_norm(edge_index, edge_weight, n, self.improved, self.add_self_loops, self.flow, x.dtype)
        key = self._plan_key
        if key is None or key[0] is not edge_index or key[1] != edge_index._version or key[2] != n:
            self._plan = csr_plan(ei, n)
            self._plan_key = (edge_index, edge_index._version, n)
        out = edge_weighted_spmm(ew, self.lin(x), self._plan)  # type: ignore[arg-type]
        if self.bias is not None:
            out = out + self.bias
        return out
