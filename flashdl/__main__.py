"""Allows ``python -m flashdl``."""

from flashdl.cli import main

main()
