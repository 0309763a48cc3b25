"""Decision models: one module per model, registered by name in :mod:`negosim.models.registry`."""
