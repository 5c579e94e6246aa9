"""``python -m supplychain`` runs the command line."""

import sys

from supplychain.console import main

sys.exit(main())
