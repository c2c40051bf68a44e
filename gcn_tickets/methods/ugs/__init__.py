"""ugs"""

from gcn_tickets.methods.ugs.search import *  # noqa: F401,F403
