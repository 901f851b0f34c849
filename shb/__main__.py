"""`python -m shb …`: the command line."""

import sys

from shb.cli import main

sys.exit(main())
