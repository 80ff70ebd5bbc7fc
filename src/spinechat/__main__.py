"""``python -m spinechat`` runs the ``spinechat`` command."""

import sys

from spinechat.cli import main

sys.exit(main())
