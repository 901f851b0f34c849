"""Styrdokument och processer linked to each effektmål, read from data/ansvar.yaml and checked against
the målbild (who answers for each målområde is the målbild's own `responsible`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from shb.core import paths, yamlfile
from shb.core.catalog import Catalog
from shb.core.errors import CatalogError

KINDS = {"styrdokument": "Styrdokument", "process": "Stadenövergripande process"}
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    kind: str  # a key of KINDS
    targets: tuple[str, ...]  # effektmål ids
    basis: str  # why it is listed and on what the links to effektmål rest


def load_steering(cat: Catalog, path: Path = paths.STEERING) -> tuple[Document, ...]:
    """The file, checked: every effektmål known, ids unique; CatalogError naming each problem."""
    try:
        with path.open(encoding="utf-8") as f:
            doc = yamlfile.load(f) or {}
    except (OSError, yamlfile.YAMLError) as exc:
        raise CatalogError(f"Kunde inte läsa {path.name}: {exc}") from exc
    targets = {t.id for t in cat.targets}
    basis = doc.get("basis") or {}
    problems = []
    documents = []
    for n, d in enumerate(doc.get("documents") or []):
        where = f"documents, post {n + 1} ({d.get('id') if isinstance(d, dict) else d!r})"
        if not isinstance(d, dict) or not _ID.match(str(d.get("id", ""))) or not str(d.get("title") or "").strip():
            problems.append(f"{where}: id (gemener) och title krävs")
            continue
        if d.get("kind") not in KINDS:
            problems.append(f"{where}: kind ska vara {' eller '.join(KINDS)}")
        unknown = [t for t in d.get("targets") or [] if str(t) not in targets]
        if unknown or not d.get("targets"):
            problems.append(f"{where}: okända eller inga effektmål {unknown}")
        said = basis.get("documents" if d.get("kind") == "styrdokument" else "processes", "")
        documents.append(Document(d["id"], d["title"], d.get("kind"), tuple(str(t) for t in d.get("targets") or []),
                                  f"{said} {basis.get('links', '')}".strip()))
    ids = [d.id for d in documents]
    problems += [f"documents: id {i} förekommer flera gånger" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise CatalogError("Ansvar och styrdokument kunde inte läsas: " + "; ".join(problems))
    return tuple(documents)
