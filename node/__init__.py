"""The Ruta city node: domain models, services, configuration, jobs, CLI, composition root."""

__version__ = "0.1.0"
