"""early_bird"""

from gcn_tickets.methods.early_bird.detector import *  # noqa: F401,F403
