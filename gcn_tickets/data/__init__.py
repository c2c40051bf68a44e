"""Data: PyG / OGB datasets from a root folder, the offline digits images, batch helpers."""

from gcn_tickets.data.datasets import ENV_ROOT, DatasetNotFound, GraphTask, data_root, load_dataset

__all__ = ["ENV_ROOT", "DatasetNotFound", "GraphTask", "data_root", "load_dataset"]
