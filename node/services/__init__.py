"""Use cases of the node. Handlers and jobs call these; they hold the business rules."""
