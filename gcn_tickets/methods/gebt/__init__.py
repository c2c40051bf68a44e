"""gebt"""

from gcn_tickets.methods.gebt.search import *  # noqa: F401,F403
