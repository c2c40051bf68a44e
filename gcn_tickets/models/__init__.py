"""Models: PyG GCNs for node, link and graph tasks, the edge-weighted sparse GCN conv, the CNN zoo."""
