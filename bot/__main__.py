"""`python -m bot` is the `qabot` command."""

from bot.cli import main

main()
