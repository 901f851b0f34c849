"""Start the app on Streamlit with the heavy work done before the first visitor arrives.

`streamlit run app.py` imports pandas, Altair, GeoPandas and the package only when the first page is
requested, and reads the catalog and the polygons then; a deep link opened in a meeting waits for all
of it. Here they are imported and read once in the server process before Streamlit starts, so the
first script run finds them ready (modules and the package's own caches are per process).

The default views' data (the facts, and Översikt's and Områden's overview of the default set) is computed in a background thread at start, and again whenever a new data version is
installed (a watcher thread looks at the file every few seconds): the caches it fills are the ones
the pages read, so no visitor pays for a cold page.

    python -m shb.web.serve [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

from shb.core import paths
from shb.store.transaction import remove_killed_writers_files


@dataclass(frozen=True)
class Warmed:
    """What warming read before the first visitor: seconds taken, polygon layers read, and why it stopped
    early (a Swedish sentence) when it could not read the database."""

    seconds: float
    layers: int
    problem: str | None = None


def warm(wait: bool = False) -> Warmed:
    """Import what every page needs and read the current snapshot's facts and polygons, then compute
    the default views' data in a background thread (`warm_views`; `wait`: before returning).

    Nothing here may stop the server: without a database the pages say what to do. `shb.ui` is left
    to the first page: its cached functions must be created under Streamlit's runtime.
    """
    started = time.perf_counter()
    import altair  # noqa: F401
    import geopandas  # noqa: F401
    import pandas  # noqa: F401

    from shb.core.errors import ShbError
    from shb.geo import geometry
    from shb.present import (
        charts,  # noqa: F401
        views,
    )
    from shb.store import db

    layers, problem = 0, None
    try:
        database = db.connect()
        views.facts(database)
        manifest = views.geometry_manifest(database)
        folder = str(paths.geometry_dir(database.path))
        for level in geometry.LAYERS:
            views._layer(folder, manifest.get("version"), level)
            layers += 1
    except (ShbError, OSError, ValueError) as exc:
        problem = str(exc)
    if problem is None:
        thread = threading.Thread(target=warm_views, args=(database,), name="shb-warm", daemon=True)
        thread.start()
        if wait:
            thread.join()
    return Warmed(time.perf_counter() - started, layers, problem)


def warm_views(database) -> bool:
    """Compute what the default views show for `database` into the package's shared caches (the ones
    the pages read through `shb.web.data`): the facts and the default set's overview (Översikt, and
    Områden's set profile). False when the snapshot could not be read (it may have
    been replaced meanwhile: the watcher warms the new one)."""
    from shb.core.errors import ShbError
    from shb.present import views

    try:
        facts = views.facts(database)
        views.overview(database, facts.default_set)
    except (ShbError, OSError, ValueError, LookupError) as exc:
        print(f"Standardvyerna förbereddes inte: {exc}", file=sys.stderr)
        return False
    return True


class VersionWatcher(threading.Thread):
    """Warms the default views whenever the current snapshot file holds a new version."""

    def __init__(self, interval: float = 2.0, seen: str | None = None):
        super().__init__(name="shb-version-watcher", daemon=True)
        self.interval = interval
        self.seen = seen
        self.warmed = threading.Event()  # set after each warming (tests wait on it)
        self._stopping = threading.Event()  # not _stop: Thread has a method of that name

    def check(self) -> bool:
        """Warm the current version if it is new to the watcher; whether it warmed."""
        from shb.core.errors import ShbError
        from shb.store import db

        try:
            database = db.connect()
        except (ShbError, OSError):
            return False
        if database.version == self.seen:
            return False
        if warm_views(database):
            self.seen = database.version
            self.warmed.set()
            return True
        return False

    def run(self) -> None:
        while not self._stopping.wait(self.interval):
            self.check()

    def stop(self) -> None:
        self._stopping.set()


def _current_version() -> str | None:
    """The version `warm` started warming, so the watcher does not warm it a second time."""
    from shb.core.errors import ShbError
    from shb.store import db

    try:
        return db.connect().version
    except (ShbError, OSError):
        return None


def refuse_foreign_websockets() -> None:
    """Make Streamlit refuse a WebSocket whose Origin is not the host it connects to.

    Streamlit (1.67) accepts WebSocket origins from ``localhost`` and this machine's addresses on *any*
    port, so a page served from another local port (another program, another user) could drive the app
    in the name of whoever has it open. Its origin check is a module function looked up on every
    connection; it is wrapped here so that an Origin must also be the same origin as the request
    (`access.same_origin`), after Streamlit's own Host and allow-list checks.
    """
    from streamlit.web.server.starlette import starlette_websocket as ws

    from shb.web import access

    streamlit_check = getattr(ws, "_streamlit_origin_check", ws._is_origin_allowed)

    def is_origin_allowed(origin: str | None, host: str | None) -> bool:
        headers = {"host": host or ""} | ({} if origin is None else {"origin": origin})
        return streamlit_check(origin, host) and access.same_origin(headers)

    ws._streamlit_origin_check = streamlit_check
    ws._is_origin_allowed = is_origin_allowed


def main(argv: list[str] | None = None) -> int:
    remove_killed_writers_files(paths.default_db())
    warmed = warm()
    VersionWatcher(seen=_current_version()).start()
    refuse_foreign_websockets()
    print(f"Förberedde appen på {warmed.seconds:.1f} s.", file=sys.stderr)
    if warmed.problem:
        print(f"Databasen lästes inte i förväg: {warmed.problem}", file=sys.stderr)
    from streamlit.web import cli

    return cli.main(args=["run", str(paths.ROOT / "app.py"), *(sys.argv[1:] if argv is None else argv)],
                    prog_name="streamlit", standalone_mode=True)


if __name__ == "__main__":
    sys.exit(main())
