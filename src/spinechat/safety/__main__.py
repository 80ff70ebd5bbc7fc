"""Regenerate docs/safety.md's red-flag table from red_flags.toml.

``python -m spinechat.safety docs/safety.md`` rewrites the marked block in place; with no argument
the table is printed.
"""

import sys
from pathlib import Path

from spinechat.safety.red_flags import render_rule_table, update_docs

if len(sys.argv) > 1:
    docs = Path(sys.argv[1])
    docs.write_text(update_docs(docs.read_text(encoding="utf-8")), encoding="utf-8")
else:
    sys.stdout.write(render_rule_table())
