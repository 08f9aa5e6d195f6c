"""``python -m runcore`` is the ``runcore`` command."""

from runcore._cli import run

run()
