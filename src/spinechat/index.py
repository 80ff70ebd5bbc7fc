"""The Chroma index: open the store (embedded or server), and ingest the knowledge folder into it.

Ingest is incremental and safe to interrupt. Every chunk records the hash of the document version it
came from and how many chunks that version has, so a document counts as indexed only when all of its
chunks of its current version are present: a run killed half-way leaves documents that the next run
sees as incomplete and rewrites. New chunks are written before stale ones are deleted, so a search
during an ingest never finds a document missing.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from spinechat.config import Settings
from spinechat.documents import Chunk, Document, SkippedFile, load_documents, split_document
from spinechat.documents.currency import CURRENCY_FIELDS
from spinechat.embedding import Embedder
from spinechat.errors import (
    IndexBusyError,
    IndexMismatchError,
    SpinechatError,
    StoreUnavailableError,
)

SCHEMA_VERSION = "1"
# Bumped after every ingest in the data folder; a running app compares it at each question and
# reloads its index when it changed (see ``read_generation``).
GENERATION_FILE = "index.generation"
# Chunks embedded and written per step of an ingest: enough for the encoder to sort texts by length
# (less padding) and for Chroma to get few writes, small enough that a killed ingest has written
# whole steps to resume from.
BATCH_SIZE = 64
# Texts per forward pass inside a step.
ENCODE_BATCH = 32

Progress = Callable[[int, int], None]


@dataclass
class IngestReport:
    """What one ingest did; ``as_json`` gives the CLI's stable ``--json`` keys."""

    documents: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    embedded_chunks: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "chunks": self.chunks,
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
        }


def embedding_text(title: str, section: str, text: str, context: str = "") -> str:
    """The text embedded and BM25-indexed for a chunk: headings, the question it answers, the body."""
    heading = " — ".join(part for part in (title, section) if part)
    lines = [heading] if heading else []
    if context:
        lines.append(f"In reply to: {context}")
    lines.append(text)
    return "\n".join(lines)


class Store:
    """A Chroma client (embedded folder or HTTP server) and the spinechat collection in it."""

    def __init__(self, client: Any, collection_name: str, location: str) -> None:
        self.client = client
        self.collection_name = collection_name
        self.location = location

    def get_collection(self) -> Any | None:
        """The collection, or ``None`` when no index has been built yet."""
        try:
            return self.client.get_collection(self.collection_name, embedding_function=None)
        except Exception as err:
            if _is_not_found(err):
                return None
            raise _store_error(err, self.location) from err

    def create_collection(self, embedder: Embedder) -> Any:
        """Get or create the collection, stamped with the embedder's identity (cosine space)."""
        try:
            collection = self.client.get_or_create_collection(
                self.collection_name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={"embedder": embedder.identity, "schema": SCHEMA_VERSION},
                embedding_function=None,
            )
        except Exception as err:
            raise _store_error(err, self.location) from err
        check_embedder(collection, embedder)
        return collection

    def delete_collection(self) -> None:
        with contextlib.suppress(Exception):
            self.client.delete_collection(self.collection_name)


def open_store(settings: Settings) -> Store:
    """Open the embedded store under ``data_dir``, or the server at ``chroma_url`` when set."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        location = f"the Chroma server at {settings.chroma_url}"
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=chroma_settings,
            )
            client.heartbeat()
        except Exception as err:
            raise StoreUnavailableError(
                f"cannot reach the Chroma server at {settings.chroma_url} ({_first_line(err)}); "
                "start it or unset SPINECHAT_CHROMA_URL"
            ) from None
        return Store(client, settings.collection, location)
    path = settings.chroma_path
    try:
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except Exception as err:
        raise StoreUnavailableError(
            f"cannot open the index at {path}: {_first_line(err)}"
        ) from None
    return Store(client, settings.collection, f"the index at {path}")


def check_embedder(collection: Any, embedder: Embedder) -> None:
    """Raise ``IndexMismatchError`` when the collection was built with another embedder."""
    metadata = collection.metadata or {}
    built_with = metadata.get("embedder")
    if built_with != embedder.identity or metadata.get("schema") != SCHEMA_VERSION:
        raise IndexMismatchError(
            f"the index was built with embedder {built_with!r} (schema {metadata.get('schema')!r}), "
            f"not {embedder.identity!r}; run `spinechat ingest --rebuild`"
        )


@contextlib.contextmanager
def ingest_lock(data_dir: Path) -> Iterator[None]:
    """Hold the index's write lock, or fail at once with ``IndexBusyError``.

    An OS file lock: the kernel releases it when the holder dies, even by SIGKILL, so a killed
    ingest never leaves the index locked.
    """
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handle = open(data_dir / "ingest.lock", "a+")  # noqa: SIM115 - held for the whole block
    except OSError as err:
        raise StoreUnavailableError(f"cannot write to {data_dir}: {err.strerror}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexBusyError(
                f"index is busy: another ingest ({holder}) is writing {data_dir}; try again when it ends"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        yield
    finally:
        handle.close()


def ingest(
    settings: Settings,
    embedder: Embedder,
    *,
    store: Store | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the knowledge folder; see the module docstring."""
    documents, skipped = load_documents(settings.knowledge_dir)
    report = IngestReport(documents=len(documents), skipped=list(skipped))
    with ingest_lock(settings.data_dir):
        store = store or open_store(settings)
        if rebuild:
            store.delete_collection()
        collection = store.create_collection(embedder)
        try:
            _sync(
                collection, embedder, documents, skipped, report, progress, settings.knowledge_dir
            )
            report.chunks = collection.count()
        except SpinechatError:
            raise
        except Exception as err:
            raise _store_error(err, store.location) from err
        if report.added or report.updated or report.removed or rebuild:
            bump_generation(settings.data_dir)
    return report


def read_generation(data_dir: Path) -> int:
    """The index's generation in ``data_dir`` (0 before the first change): one small file read,
    cheap enough for every question."""
    try:
        return int((data_dir / GENERATION_FILE).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def bump_generation(data_dir: Path) -> int:
    """Count one more change to the index, written to a temporary file and renamed into place,
    so a reader never sees a half-written number. Called while holding ``ingest_lock``."""
    generation = read_generation(data_dir) + 1
    temporary = data_dir / f".{GENERATION_FILE}.{os.getpid()}"
    temporary.write_text(str(generation), encoding="ascii")
    os.replace(temporary, data_dir / GENERATION_FILE)
    return generation


@dataclass
class _Indexed:
    ids: set[str] = field(default_factory=set)
    hashes: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)


def _sync(
    collection: Any,
    embedder: Embedder,
    documents: Sequence[Document],
    skipped: Sequence[SkippedFile],
    report: IngestReport,
    progress: Progress | None,
    knowledge_dir: Path,
) -> None:
    indexed = _indexed_state(collection)
    where = {doc.doc_id: _relative(doc.path, knowledge_dir) for doc in documents}
    plans: list[tuple[Document, list[Chunk], _Indexed | None]] = []
    for doc in documents:
        chunks = split_document(doc)
        state = indexed.get(doc.doc_id)
        wanted = {chunk.chunk_id for chunk in chunks}
        if state and state.hashes == {doc.content_hash} and state.ids == wanted:
            report.unchanged.append(doc.doc_id)
            if state.paths != {where[doc.doc_id]}:
                # Renamed or moved file, same content: refresh the path, keep the vectors.
                collection.update(
                    ids=[c.chunk_id for c in chunks],
                    metadatas=[_metadata(doc, c, len(chunks), where[doc.doc_id]) for c in chunks],
                )
            continue
        (report.updated if state else report.added).append(doc.doc_id)
        plans.append((doc, chunks, state))

    # A file that fails to load keeps its previous version in the index: a half-written or
    # corrupted file must not silently remove a document patients were being answered from.
    unreadable = {_relative(s.path, knowledge_dir) for s in skipped}
    loaded = {doc.doc_id for doc in documents}
    stale = [
        doc_id
        for doc_id, state in indexed.items()
        if doc_id not in loaded and not (state.paths & unreadable)
    ]

    total = sum(len(chunks) for _, chunks, _ in plans)
    done = 0
    if progress:
        progress(0, total)
    fresh = [
        (doc, chunk, len(chunks))
        for doc, chunks, state in plans
        for chunk in chunks
        if not state or chunk.chunk_id not in state.ids
    ]
    for written in _embed_and_write(collection, embedder, fresh, where):
        report.embedded_chunks += written
        done += written
        if progress:
            progress(done, total)
    # Every new chunk is in before anything is deleted (see the module docstring).
    for doc, chunks, state in plans:
        existing = state.ids if state else set()
        kept = [chunk for chunk in chunks if chunk.chunk_id in existing]
        if kept:
            # Same text, same vector: only the version stamp changes, so no re-embedding.
            collection.update(
                ids=[c.chunk_id for c in kept],
                metadatas=[_metadata(doc, c, len(chunks), where[doc.doc_id]) for c in kept],
            )
            done += len(kept)
            if progress:
                progress(done, total)
        obsolete = existing - {chunk.chunk_id for chunk in chunks}
        if obsolete:
            collection.delete(ids=sorted(obsolete))
    for doc_id in stale:
        collection.delete(ids=sorted(indexed[doc_id].ids))
        report.removed.append(doc_id)


def _embed_and_write(
    collection: Any,
    embedder: Embedder,
    fresh: Sequence[tuple[Document, Chunk, int]],
    where: dict[str, str],
) -> Iterator[int]:
    """Embed ``fresh`` in large batches and add them, yielding each written batch's size.

    Chroma writes batch k on a worker thread while the model encodes batch k+1, so ingest runs at
    the speed of the encoder alone (the bench compares it with a bare encode of the same texts);
    at most one batch waits to be written, so memory stays bounded.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="spinechat-ingest") as writer:
        pending: Future[int] | None = None
        for start in range(0, len(fresh), BATCH_SIZE):
            batch = fresh[start : start + BATCH_SIZE]
            vectors = embedder.embed_documents(
                [embedding_text(c.title, c.section, c.text, c.context) for _, c, _ in batch],
                batch_size=ENCODE_BATCH,
            )
            if pending is not None:
                yield pending.result()
            pending = writer.submit(_add_batch, collection, batch, vectors, where)
        if pending is not None:
            yield pending.result()


def _add_batch(
    collection: Any,
    batch: Sequence[tuple[Document, Chunk, int]],
    vectors: Any,
    where: dict[str, str],
) -> int:
    collection.add(
        ids=[c.chunk_id for _, c, _ in batch],
        embeddings=vectors,
        documents=[c.text for _, c, _ in batch],
        metadatas=[_metadata(doc, c, n, where[doc.doc_id]) for doc, c, n in batch],
    )
    return len(batch)


def get_all(collection: Any, include: list[str], page: int = 5000) -> dict[str, list[Any]]:
    """Every record of a collection, read in pages.

    One unpaged ``get`` of a large collection fails inside Chroma ("too many SQL variables",
    seen at 100k chunks), so ids and the requested fields are gathered ``page`` at a time.
    """
    merged: dict[str, list[Any]] = {"ids": [], **{name: [] for name in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=page, offset=offset)
        merged["ids"].extend(got["ids"])
        for name in include:
            merged[name].extend(got[name] or [])
        if len(got["ids"]) < page:
            return merged
        offset += page


def _indexed_state(collection: Any) -> dict[str, _Indexed]:
    state: dict[str, _Indexed] = {}
    got = get_all(collection, ["metadatas"])
    for chunk_id, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
        meta = meta or {}
        entry = state.setdefault(str(meta.get("doc_id", "")), _Indexed())
        entry.ids.add(chunk_id)
        entry.hashes.add(str(meta.get("doc_hash", "")))
        entry.paths.add(str(meta.get("source_path", "")))
    return state


def _relative(path: str, knowledge_dir: Path) -> str:
    """A file's path relative to the knowledge folder, so moving the folder changes nothing."""
    try:
        return Path(path).resolve().relative_to(knowledge_dir.resolve()).as_posix()
    except ValueError:
        return Path(path).resolve().as_posix()


# Front matter ``publisher_<language>`` ("publisher_zh-Hant"): the publisher named in that language.
PUBLISHER_IN = "publisher_"


def _metadata(
    doc: Document, chunk: Chunk, doc_chunks: int, source_path: str
) -> dict[str, str | int]:
    meta: dict[str, str | int] = {
        "doc_id": chunk.doc_id,
        "title": chunk.title,
        "section": chunk.section,
        "position": chunk.position,
        "doc_hash": doc.content_hash,
        "doc_chunks": doc_chunks,
        "source_path": source_path,
    }
    if chunk.context:
        meta["context"] = chunk.context
    for key in ("type", "publisher", "country", "audience", "date", "format", *CURRENCY_FIELDS):
        if doc.metadata.get(key):
            meta[key] = doc.metadata[key]
    for key, value in doc.metadata.items():
        if isinstance(key, str) and key.startswith(PUBLISHER_IN) and isinstance(value, str):
            meta[key] = value
    return meta


def _is_not_found(err: Exception) -> bool:
    return type(err).__name__ in ("NotFoundError", "InvalidCollectionException") or (
        "does not exist" in str(err)
    )


def _store_error(err: Exception, location: str) -> SpinechatError:
    return StoreUnavailableError(f"{location} failed: {_first_line(err)}")


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:300] if text else type(err).__name__
