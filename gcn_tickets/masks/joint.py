"""Attach joint graph-and-weight masks to a PyG GCN for training.

Graph mask: one score per UNDIRECTED edge (:class:`GraphMask`), gathered into both
directions and passed as ``edge_weight``; ``gcn_norm`` renormalises with it, so
Â = D^-1/2 (A ⊙ m_g + I) D^-1/2 with self-loops added after masking (never pruned).
Memory is O(E).

Weight masks: a ``torch.nn.utils.parametrize`` parametrization on every masked
weight, ``W_eff = W ⊙ kept ⊙ score`` (``score`` only when the mask is learned).
Pruned entries (``kept = 0``) stay exactly zero through training.

For a fixed ticket use :meth:`JointMasks.ticket_edge_index`: pruned edges are
removed from ``edge_index`` so the saving is real.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import torch
from torch import Tensor, nn
from torch.nn.utils import parametrize
from torch_geometric.nn import GCNConv

from gcn_tickets.masks.edges import undirected_edges
from gcn_tickets.masks.maskset import MaskError, MaskSet

__all__ = [
    "GraphMask",
    "WeightMask",
    "JointMasks",
    "gcn_weight_names",
    "plain_state_dict",
    "load_plain_state_dict",
    "check_uncached",
]


def _noisy_ones(shape, noise: float, generator: torch.Generator | None) -> Tensor:
    """1·(1 + U(−noise, noise)), the UGS mask initialisation."""
    u = torch.rand(shape, generator=generator, dtype=torch.float32)
    return 1.0 + (2 * u - 1) * noise


class GraphMask(nn.Module):
    """A learnable score per undirected edge, gathered into both directions.

    Args:
        edge_index: ``[2, E]`` directed entries.
        num_nodes: N.
        kept: optional bool ``[U]`` of edges still in the ticket (default all).
        learnable: whether the scores are trained (else ``edge_weight`` is the binary mask).
        noise: half-width of the uniform init noise around 1 (UGS: 1e-5).
    """

    def __init__(
        self,
        edge_index: Tensor,
        num_nodes: int,
        *,
        kept: Tensor | None = None,
        learnable: bool = True,
        noise: float = 1e-5,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        und, inverse = undirected_edges(edge_index, num_nodes)
        self.num_nodes = num_nodes
        self.register_buffer("und_edge_index", und)
        self.register_buffer("inverse", inverse)
        if kept is None:
            kept = torch.ones(und.size(1), dtype=torch.bool)
        if kept.numel() != und.size(1):
            raise MaskError(
                f"graph mask has {kept.numel()} entries but the graph has {und.size(1)} "
                "undirected edges: was it made for another dataset or split?"
            )
        self.register_buffer("kept", kept.bool().clone())
        self.score = nn.Parameter(_noisy_ones(und.size(1), noise, generator)) if learnable else None

    @property
    def num_edges(self) -> int:
        return int(self.und_edge_index.size(1))

    def edge_weight(self) -> Tensor:
        """Directed edge weights ``[E]``: (score ⊙ kept)[inverse] (binary when not learned)."""
        m = self.kept.to(torch.float32)
        if self.score is not None:
            m = m * self.score
        return m[self.inverse]

    def ticket_edge_index(self, edge_index: Tensor) -> Tensor:
        """``edge_index`` with the directed entries of pruned edges removed."""
        return edge_index[:, self.kept[self.inverse]]


class WeightMask(nn.Module):
    """Parametrization ``W -> W ⊙ kept (⊙ score)``; ``.mask`` is the binary mask (for readers)."""

    def __init__(
        self,
        kept: Tensor,
        *,
        learnable: bool,
        noise: float = 1e-5,
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        self.register_buffer("kept", kept.bool().clone())
        self.score = nn.Parameter(_noisy_ones(kept.shape, noise, generator)) if learnable else None

    @property
    def mask(self) -> Tensor:
        return self.kept

    def forward(self, w: Tensor) -> Tensor:
        m = self.kept.to(w.dtype)
        if self.score is not None:
            m = m * self.score
        return w * m


def gcn_weight_names(model: nn.Module) -> list[str]:
    """The state_dict names of every GCNConv weight (``...convs.{i}.lin.weight``)."""
    names = []
    for mod_name, mod in model.named_modules():
        if isinstance(mod, GCNConv):
            names.append(f"{mod_name}.lin.weight" if mod_name else "lin.weight")
    if not names:
        raise MaskError("the model has no GCNConv layers: pass weight_names explicitly")
    return names


def check_uncached(model: nn.Module) -> None:
    """Refuse ``cached=True`` convs: they silently ignore a changed ``edge_weight``."""
    for name, mod in model.named_modules():
        if getattr(mod, "cached", False):
            raise MaskError(
                f"'{name}' ({type(mod).__name__}) has cached=True: a cached conv ignores a "
                "changed edge_weight, so a graph mask would be silently dropped (or a second "
                "backward would crash). Build it with cached=False."
            )


def _split(name: str) -> tuple[str, str]:
    mod, _, attr = name.rpartition(".")
    return mod, attr


def plain_state_dict(model: nn.Module) -> dict[str, Tensor]:
    """The model's state_dict under UNMASKED names, with the raw (unmasked) weights.

    ``a.parametrizations.weight.original`` becomes ``a.weight``; mask buffers and
    scores are dropped. Clones, so it is safe as a snapshot (e.g. Θ0 for rewinding).
    """
    out: dict[str, Tensor] = {}
    for k, v in model.state_dict().items():
        if ".parametrizations." in k:
            head, _, tail = k.partition(".parametrizations.")
            pname, _, rest = tail.partition(".")
            if rest == "original":
                out[f"{head}.{pname}"] = v.detach().clone()
            continue
        out[k] = v.detach().clone()
    return out


def load_plain_state_dict(model: nn.Module, state: dict[str, Tensor]) -> None:
    """Copy a :func:`plain_state_dict` snapshot back into the model, bit for bit."""
    current = model.state_dict()
    with torch.no_grad():
        for k, v in state.items():
            mod, attr = _split(k)
            par_key = f"{mod}.parametrizations.{attr}.original" if mod else None
            if par_key and par_key in current:
                current[par_key].copy_(v)
            elif k in current:
                current[k].copy_(v)
            else:
                raise KeyError(f"'{k}' is not in the model")


class JointMasks(nn.Module):
    """Joint graph-and-weight masks attached to a model.

    Args:
        model: the GCN (any module; weights masked by name).
        edge_index, num_nodes: the graph to mask (omit both for weight masks only).
        masks: the starting :class:`MaskSet` (kept entries); default all kept.
        learn_graph / learn_weights: learn scores (UGS search) or keep binary masks (ticket).
        weight_names: masked parameters (default: every ``GCNConv`` weight).
        noise: UGS mask init noise (1e-5). seed: seed for that noise.
    """

    def __init__(
        self,
        model: nn.Module,
        edge_index: Tensor | None = None,
        num_nodes: int | None = None,
        *,
        masks: MaskSet | None = None,
        learn_graph: bool = True,
        learn_weights: bool = True,
        weight_names: Iterable[str] | None = None,
        noise: float = 1e-5,
        seed: int = 0,
    ) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(seed)
        names = list(weight_names) if weight_names is not None else gcn_weight_names(model)
        if masks is not None and masks.weights:
            names = list(masks.weights) if weight_names is None else names
        params = plain_state_dict(model)
        for n in names:
            if n not in params:
                raise MaskError(f"'{n}' is not a parameter of the model")
        if masks is not None:
            masks.check_against({n: params[n] for n in masks.weights})
        self.model = model
        self.weight_names = names
        self.graph: GraphMask | None = None
        if edge_index is not None:
            check_uncached(model)
            if num_nodes is None:
                raise ValueError("num_nodes is required with edge_index")
            kept = masks.graph if masks is not None else None
            self.graph = GraphMask(
                edge_index, num_nodes, kept=kept, learnable=learn_graph, noise=noise, generator=gen
            )
        self._params: dict[str, WeightMask] = {}
        for n in names:
            mod_name, attr = _split(n)
            mod = model.get_submodule(mod_name)
            if parametrize.is_parametrized(mod, attr):
                raise MaskError(f"'{n}' already carries a parametrization: detach() it first")
            kept = masks.weights[n] if masks is not None and n in masks.weights else None
            if kept is None:
                kept = torch.ones_like(params[n], dtype=torch.bool)
            with torch.no_grad():
                getattr(mod, attr).mul_(kept.to(getattr(mod, attr).dtype))
            wm = WeightMask(kept, learnable=learn_weights, noise=noise, generator=gen)
            parametrize.register_parametrization(mod, attr, wm)
            self._params[n] = wm

    # ----------------------------------------------------------------- access
    def weight_masks(self) -> dict[str, WeightMask]:
        return dict(self._params)

    def mask_parameters(self) -> Iterator[nn.Parameter]:
        """Learnable mask scores (graph first, then weights)."""
        if self.graph is not None and self.graph.score is not None:
            yield self.graph.score
        for wm in self._params.values():
            if wm.score is not None:
                yield wm.score

    def model_parameters(self) -> Iterator[nn.Parameter]:
        """The model's own parameters (mask scores excluded)."""
        ids = {id(p) for p in self.mask_parameters()}
        for p in self.model.parameters():
            if id(p) not in ids:
                yield p

    def edge_weight(self) -> Tensor | None:
        return None if self.graph is None else self.graph.edge_weight()

    def ticket_edge_index(self, edge_index: Tensor) -> Tensor:
        return edge_index if self.graph is None else self.graph.ticket_edge_index(edge_index)

    def current(self) -> MaskSet:
        """The binary masks currently attached (kept entries)."""
        return MaskSet(
            {n: wm.kept for n, wm in self._params.items()},
            None if self.graph is None else self.graph.kept,
        )

    def scores(self) -> tuple[Tensor | None, dict[str, Tensor]]:
        """Snapshot of the learned scores (graph, weights); None/absent where not learned."""
        g = None
        if self.graph is not None and self.graph.score is not None:
            g = self.graph.score.detach().clone()
        w = {n: wm.score.detach().clone() for n, wm in self._params.items() if wm.score is not None}
        return g, w

    def detach(self) -> nn.Module:
        """Remove the parametrizations, leaving the masked (effective) weights in the model."""
        for n in self._params:
            mod_name, attr = _split(n)
            parametrize.remove_parametrizations(
                self.model.get_submodule(mod_name), attr, leave_parametrized=True
            )
        self._params = {}
        return self.model
