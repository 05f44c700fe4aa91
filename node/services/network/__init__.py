"""The network of city nodes: which servers this node peers with (``peering``)."""
