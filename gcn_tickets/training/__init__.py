"""Training: the task trainers (node, link, graph), the fit loop, CNN training."""
