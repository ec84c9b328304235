"""`python -m app.cli`: the `planner` command."""

from app.cli import main

main()
