from binhdang.cli import main

main()
