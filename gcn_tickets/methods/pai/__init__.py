"""pai"""

from gcn_tickets.methods.pai.core import *  # noqa: F401,F403
