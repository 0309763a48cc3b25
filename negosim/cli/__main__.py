"""``python -m negosim.cli``: the ``negosim`` command."""

import sys

from negosim.cli import main

sys.exit(main())
