"""`python -m dia`: the same as the `dia` command (the command line lives in cli/)."""

from cli import main

main()
