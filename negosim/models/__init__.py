"""Decision models: one module per model, each registered with
:func:`negosim.models.registry.register` and checked by
:func:`negosim.models.contract.check_decision_model`."""
