"""The command line: `python -m shb …`."""
