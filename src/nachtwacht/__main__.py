from nachtwacht.cli import main

main()
