"""`python -m bench.big_file_import FILE --replace --max-mb MB --db DB`: the import of a file larger than an
upload may be (10 million rows), with the row and cell limits raised to fit it; otherwise `shb import`."""

from __future__ import annotations

import sys
from pathlib import Path

from shb.ingest import importer

if __name__ == "__main__":
    file, db = Path(sys.argv[1]), Path(sys.argv[sys.argv.index("--db") + 1])
    megabytes = int(sys.argv[sys.argv.index("--max-mb") + 1])
    limits = importer.Limits(max_bytes=megabytes * importer.MB, max_rows=20_000_000, max_cells=200_000_000)
    print(importer.import_file(file, db, overwrite=True, limits=limits).summary())
