"""The install that ``./scripts/run`` and ``./scripts/test`` make is found from any folder, the
one that holds the clone included (an editable install through setuptools' import hook is
shadowed there: ``import negosim`` finds the clone's folder, a namespace package)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_from_the_folder_that_holds_a_clone_named_negosim(tmp_path):
    (tmp_path / "negosim").symlink_to(ROOT, target_is_directory=True)
    done = subprocess.run(
        [sys.executable, "-c", "import negosim; print(negosim.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    # A namespace package has no __file__ (None): the regular package must win.
    assert done.stdout.strip().endswith("__init__.py"), (
        f"import negosim found {done.stdout.strip()!r}; reinstall with ./scripts/test (pip "
        "install -e . --config-settings editable_mode=compat)"
    )
