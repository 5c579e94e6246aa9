"""``python -m supplychain`` runs the command line."""

import sys

from supplychain.cli import main

sys.exit(main())
