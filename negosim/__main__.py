"""``python -m negosim``: the ``negosim`` command."""

import sys

from negosim.cli import main

sys.exit(main())
