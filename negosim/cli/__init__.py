"""The ``negosim`` command: a thin edge over the library's functions.

One module per command (:mod:`~negosim.cli.validate`, :mod:`~negosim.cli.schema`,
:mod:`~negosim.cli.run`, :mod:`~negosim.cli.sweep`, :mod:`~negosim.cli.plot`,
:mod:`~negosim.cli.compare`, :mod:`~negosim.cli.backtest`), registered in :mod:`~negosim.cli.app`;
:mod:`~negosim.cli.report` prints what they computed.
"""

from negosim.cli.app import app, main

__all__ = ["app", "main"]
