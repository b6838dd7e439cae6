"""Command groups of the ``trialdesk`` CLI, one module each, each with ``register(app)``."""
