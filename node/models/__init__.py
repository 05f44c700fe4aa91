"""Domain models. Every module listed here is loaded by Tortoise and covered by the migrations."""

MODEL_MODULES = [
    "node.models.accounts",
    "node.models.actors",
    "node.models.social",
    "node.models.hashtags",
    "node.models.media",
    "node.models.market",
    "node.models.orders",
    "node.models.moderation",
    "node.models.messages",
    "node.models.notifications",
    "node.models.peers",
    "node.models.jobs",
    "node.models.web",
]
