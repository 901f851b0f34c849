"""`python -m shb …`: the command line."""

import sys

from shb.cli.main import main

sys.exit(main())
