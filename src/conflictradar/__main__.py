from conflictradar.cli import main

main()
