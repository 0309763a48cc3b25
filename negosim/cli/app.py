"""The ``negosim`` application: one command per module of :mod:`negosim.cli`, registered here.

Every error a user can cause is a :class:`~negosim.errors.NegosimError`: it is printed as located
paragraphs on standard error and the command exits with status 2.  Anything else is a bug and keeps
its traceback.  The command modules import the library inside their functions, so that
``negosim --help`` and ``negosim validate`` load neither Mesa, matplotlib nor Dask.
"""

from __future__ import annotations

import sys
import warnings
from typing import Annotated, Any

import typer

from negosim._version import __version__
from negosim.cli.audit import audit_command
from negosim.cli.backtest import backtest_command
from negosim.cli.compare import compare_command
from negosim.cli.options import Command, Group
from negosim.cli.plot import plot_command
from negosim.cli.report import EXIT_USAGE
from negosim.cli.run import run_command
from negosim.cli.schema import schema_command
from negosim.cli.sweep import sweep_command
from negosim.cli.validate import validate_command
from negosim.errors import NegosimError, NegosimWarning

__all__ = ["app", "main"]

app = typer.Typer(
    name="negosim",
    help="Diplomatic negotiation simulator: validate, run, sweep and plot scenario files.",
    cls=Group,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"negosim {__version__}")
        raise typer.Exit()


@app.callback()
def _application(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Diplomatic negotiation simulator: validate, run, sweep and plot scenario files."""


# In the order ``negosim --help`` lists them; every command's help shows flags as flags.
app.command("validate", cls=Command)(validate_command)
app.command("schema", cls=Command)(schema_command)
app.command("run", cls=Command)(run_command)
app.command("sweep", cls=Command)(sweep_command)
app.command("plot", cls=Command)(plot_command)
app.command("compare", cls=Command)(compare_command)
app.command("backtest", cls=Command)(backtest_command)
app.command("audit", cls=Command)(audit_command)


def _show_warning(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    """Print a :class:`NegosimWarning` as one line, ``warning: ...``, once per command even when
    several callers raise it (a sweep reads its journal more than once); any other warning as
    Python would."""
    if issubclass(category, NegosimWarning):
        text = f"warning: {message}"
        if text not in _shown:
            _shown.add(text)
            print(text, file=sys.stderr)
    else:
        _python_show_warning(message, category, *args, **kwargs)


_python_show_warning = warnings.showwarning
_shown: set[str] = set()


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``negosim`` console command; returns the exit status.

    Click handles its own usage errors (exit 2); a :class:`NegosimError` raised by a command is
    printed without a traceback and also gives exit 2.
    """
    # Text from a scenario may hold characters the terminal cannot encode (a lone surrogate from
    # a JSON escape): print them escaped rather than fail while reporting.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    previous = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        app(args=argv, prog_name="negosim")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except NegosimError as exc:
        typer.echo(str(exc), err=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    finally:
        warnings.showwarning = previous
    return 0
