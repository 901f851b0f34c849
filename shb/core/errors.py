"""Domain errors, met at the boundary (CLI, UI) and turned into short Swedish messages."""


class ShbError(Exception):
    """Base class: the message is written for the user, in Swedish."""


class CatalogError(ShbError):
    """The committed catalog or area facts are inconsistent."""


class UnknownIndicator(ShbError):
    """An indicator id that the catalog does not hold."""


class UnknownQuery(ShbError):
    """A query name without a file in queries/."""


class QueryParameterError(ShbError):
    """Parameters given to a query do not match the ones it declares."""


class DatabaseMissing(ShbError):
    """No snapshot file where one was expected."""


class ImportRejected(ShbError):
    """A file offered for import has problems; nothing was written. The message is the Swedish report;
    `problems` holds the first problems found and `total` how many there were."""

    def __init__(self, message: str, problems: tuple = (), total: int = 0):
        super().__init__(message)
        self.problems = tuple(problems)
        self.total = total or len(self.problems)


class ImportFailed(ShbError):
    """An import or restore could not be carried out for a reason other than the file's content."""


class FetchFailed(ShbError):
    """Values could not be fetched from a source (network, HTTP error, malformed answer); nothing was written."""


class GeometryRejected(ShbError):
    """A geometry file offered for import cannot replace the current geometry; nothing was written."""


class NotAllowed(ShbError):
    """The user may not do this (loading data, restoring a snapshot or fetching needs an analyst)."""
