from decisiontrees.cli import main

raise SystemExit(main())
