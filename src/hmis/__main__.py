from hmis.cli import main

main()
