from ecomsheets.cli import main

main()
