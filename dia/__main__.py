from dia.cli import main

main()
