"""``python -m mechind``: the same as the ``mechind`` command."""

from .cli import main

main()
