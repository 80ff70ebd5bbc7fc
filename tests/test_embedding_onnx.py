"""The ONNX Runtime embedding backend: the same vectors as torch on every shipped chunk and every eval
question, no torch in the app, the CLI or the eval, and one-line errors for every bad state of the
exported model (corrupted, stale, disagreeing with torch, export failing, onnxruntime missing)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from spinechat import embedding
from spinechat.config import Settings, load_settings
from spinechat.documents import load_documents, split_document
from spinechat.embedding import (
    EMBEDDER_ID,
    MANIFEST_FILE,
    ONNX_FILE,
    Embedder,
    OnnxEmbedder,
    cached_sha256,
    load_embedder,
    open_onnx_model,
)
from spinechat.errors import ConfigError, EmbedderError
from spinechat.index import embedding_text
from support.cli import Cli, usage_error

REPO = Path(__file__).resolve().parents[1]
TESTSET = REPO / "evals" / "testset.jsonl"
MIN_COSINE = 0.99999

# Runs the real `spinechat` entry point, then reports whether torch was imported on the last line.
TORCH_PROBE = (
    "import sys\n"
    "from spinechat.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "print('torch imported:', 'torch' in sys.modules)\n"
    "sys.exit(status)\n"
)
APP_PROBE = (
    "import sys\n"
    "from spinechat.config import load_settings\n"
    "from spinechat.web.app import create_app\n"
    "from spinechat.wiring import build_answerer\n"
    "settings = load_settings()\n"
    "answerer = build_answerer(settings)\n"
    "create_app(settings, answerer=answerer)\n"
    "answerer.ask('will removing a loose screw cost extra?')\n"
    "print('torch imported:', 'torch' in sys.modules)\n"
)
# A torch that cannot be imported, put first on the path of a subprocess: the parent must not
# notice (it never imports torch); the export child must fail with one line.
BROKEN_TORCH = "raise ImportError('torch is broken on this machine')\n"


def _texts() -> tuple[list[str], list[str]]:
    documents, _ = load_documents(REPO / "knowledge")
    chunks = [
        embedding_text(c.title, c.section, c.text, c.context)
        for doc in documents
        for c in split_document(doc)
    ]
    questions = [
        json.loads(line)["question"] for line in TESTSET.read_text().splitlines() if line.strip()
    ]
    return chunks, questions


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    return load_embedder(2, backend="torch")


@pytest.fixture(scope="module")
def model_copy(
    tmp_path_factory: pytest.TempPathFactory, embedder: OnnxEmbedder, embedder_model_dir: Path
) -> Path:
    """A copy of the exported model folder, to damage one way per test."""
    del embedder  # requested so the export exists before it is copied
    (exported,) = [p for p in embedder_model_dir.iterdir() if (p / MANIFEST_FILE).is_file()]
    root = tmp_path_factory.mktemp("models-original") / "models"
    shutil.copytree(exported, root / exported.name, ignore=shutil.ignore_patterns("*.lock"))
    return root


def test_onnx_vectors_equal_torch_on_every_chunk_and_eval_question(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    chunks, questions = _texts()
    assert isinstance(embedder, OnnxEmbedder) and embedder.identity == torch_embedder.identity
    assert len(chunks) >= 20 and len(questions) >= 40
    onnx_chunks = embedder.embed_documents(chunks)
    torch_chunks = torch_embedder.embed_documents(chunks)
    chunk_cosines = np.sum(onnx_chunks * torch_chunks, axis=1)
    assert chunk_cosines.min() >= MIN_COSINE, chunk_cosines.min()
    onnx_questions = np.stack([embedder.embed_query(q) for q in questions])
    torch_questions = np.stack([torch_embedder.embed_query(q) for q in questions])
    question_cosines = np.sum(onnx_questions * torch_questions, axis=1)
    assert question_cosines.min() >= MIN_COSINE, question_cosines.min()
    # Same top 3 chunks for every question, in the same order.
    onnx_top = np.argsort(-(onnx_questions @ onnx_chunks.T), axis=1)[:, :3]
    torch_top = np.argsort(-(torch_questions @ torch_chunks.T), axis=1)[:, :3]
    assert (onnx_top == torch_top).all(axis=1).sum() == len(questions)


def test_onnx_batches_do_not_change_vectors(embedder: Embedder) -> None:
    """Padding a short text beside a long one (batched) gives its vector alone, as torch does."""
    texts = ["a screw", "rod " * 300, "Can I drive six weeks after a lumbar fusion?"]
    together = embedder.embed_documents(texts)
    alone = np.stack([embedder.embed_query(t) for t in texts])
    assert np.sum(together * alone, axis=1).min() >= MIN_COSINE
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_embedder_setting_is_validated() -> None:
    assert Settings().embedder == "onnx"
    assert load_settings(environ={"SPINECHAT_EMBEDDER": "Torch"}).embedder == "torch"
    with pytest.raises(ConfigError, match="SPINECHAT_EMBEDDER must be onnx or torch"):
        load_settings(environ={"SPINECHAT_EMBEDDER": "openvino"})
    assert EMBEDDER_ID.startswith("sentence-transformers/all-MiniLM-L6-v2")


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory, embedder_model_dir: Path) -> Cli:
    del embedder_model_dir  # the subprocesses find the export in the same user cache
    return Cli.in_copy(tmp_path_factory.mktemp("onnx-cli"))


def test_cli_ask_and_eval_never_import_torch(cli: Cli, tmp_path: Path) -> None:
    probe = [sys.executable, "-c", TORCH_PROBE]
    asked = cli.run("ask", "--json", "will removing a loose screw cost extra?", command=probe)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.splitlines()[-1] == "torch imported: False"
    testset = tmp_path / "tiny.jsonl"
    testset.write_text(TESTSET.read_text().splitlines()[0] + "\n")
    evaluated = cli.run(
        "eval",
        "--mode",
        "offline",
        "--testset",
        str(testset),
        "--out",
        str(tmp_path / "run"),
        command=probe,
        timeout=300,
    )
    assert evaluated.returncode in (0, 1), evaluated.stderr  # 1: a gate missed on one case
    assert (tmp_path / "run" / "report.json").is_file()
    assert evaluated.stdout.splitlines()[-1] == "torch imported: False"


def test_app_never_imports_torch(cli: Cli) -> None:
    created = cli.run(command=[sys.executable, "-c", APP_PROBE])
    assert created.returncode == 0, created.stderr
    assert created.stdout.splitlines()[-1] == "torch imported: False"


def test_torch_backend_still_selectable(cli: Cli) -> None:
    result = cli.run(
        "search",
        "--json",
        "loose screw",
        command=[sys.executable, "-c", TORCH_PROBE],
        env={"SPINECHAT_EMBEDDER": "torch"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "torch imported: True"


def _damaged(model_copy: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the exported models under ``tmp_path/cache/models``; returns (cache, folder)."""
    cache = tmp_path / "cache"
    shutil.copytree(model_copy, cache / "models")
    (folder,) = list((cache / "models").iterdir())
    return cache, folder


def _edit_manifest(folder: Path, **changes: object) -> None:
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    manifest.update(changes)
    (folder / MANIFEST_FILE).write_text(json.dumps(manifest))


def test_corrupted_model_file_is_one_line_error(cli: Cli, model_copy: Path, tmp_path: Path) -> None:
    cache, folder = _damaged(model_copy, tmp_path)
    with open(folder / ONNX_FILE, "r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00" * 64)
    result = cli.run("search", "loose screw", env={"SPINECHAT_CACHE_DIR": str(cache)})
    assert "is missing or corrupted" in usage_error(result)


def test_model_from_other_weights_is_one_line_error(
    cli: Cli, model_copy: Path, tmp_path: Path
) -> None:
    cache, folder = _damaged(model_copy, tmp_path)
    _edit_manifest(folder, source_sha256="0" * 64)
    result = cli.run("search", "loose screw", env={"SPINECHAT_CACHE_DIR": str(cache)})
    assert "made from other MiniLM weights" in usage_error(result)


def test_model_disagreeing_with_torch_is_one_line_error(
    cli: Cli, model_copy: Path, tmp_path: Path
) -> None:
    """A file that passes its hash but gives other vectors than torch recorded is refused."""
    cache, folder = _damaged(model_copy, tmp_path)
    probe = json.loads((folder / MANIFEST_FILE).read_text())["probe_vector"]
    _edit_manifest(folder, probe_vector=list(np.roll(np.asarray(probe), 1)))
    result = cli.run("search", "loose screw", env={"SPINECHAT_CACHE_DIR": str(cache)})
    assert "does not reproduce torch's vectors" in usage_error(result)


def test_failed_export_is_one_line_error(cli: Cli, tmp_path: Path) -> None:
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "torch.py").write_text(BROKEN_TORCH)
    src = str(Path(__file__).resolve().parents[1] / "src")
    result = cli.run(
        "search",
        "loose screw",
        env={"SPINECHAT_CACHE_DIR": str(tmp_path / "empty-cache"), "PYTHONPATH": f"{shim}:{src}"},
    )
    line = usage_error(result)
    assert "exporting the embedding model to ONNX failed" in line
    assert "torch is broken on this machine" in line
    assert not list((tmp_path / "empty-cache" / "models").glob("*/" + MANIFEST_FILE))


def test_missing_onnxruntime_is_one_line_error(cli: Cli) -> None:
    without_ort = (
        "import sys\nsys.modules['onnxruntime'] = None\n"
        "from spinechat.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    result = cli.run("search", "loose screw", command=[sys.executable, "-c", without_ort])
    assert "needs the onnxruntime package" in usage_error(result)


def _refuse_export(model_dir: Path) -> None:
    raise AssertionError(f"no export expected in {model_dir}")


def test_hashes_are_remembered_until_a_file_changes(
    model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second start reads neither 90 MB file; a corrupted export is refused even with its old
    mtime put back (the ctime still changes)."""
    hashed: list[str] = []
    real = embedding.sha256_file

    def counting(path: Path) -> str:
        hashed.append(path.name)
        return real(path)

    monkeypatch.setattr(embedding, "sha256_file", counting)
    cache, folder = _damaged(model_copy, tmp_path)
    models = cache / "models"
    first = open_onnx_model(models, 1, exporter=_refuse_export)
    assert sorted(hashed) == sorted([embedding.WEIGHTS_FILE, ONNX_FILE])
    hashed.clear()
    second = open_onnx_model(models, 1, exporter=_refuse_export)
    assert hashed == []
    text = ["screws in my back"]
    assert np.array_equal(first.encode(text), second.encode(text))

    onnx_path = folder / ONNX_FILE
    before = onnx_path.stat()
    with open(onnx_path, "r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00" * 64)
    os.utime(onnx_path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert onnx_path.stat().st_size == before.st_size
    with pytest.raises(EmbedderError, match="is missing or corrupted"):
        open_onnx_model(models, 1, exporter=_refuse_export)
    assert hashed == [ONNX_FILE]


def test_hash_memory_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"spinal hardware" * 1000)
    expected = hashlib.sha256(target.read_bytes()).hexdigest()
    blocked = tmp_path / embedding.HASHES_FILE
    blocked.mkdir()  # a folder where the JSON file would go: every write fails
    assert cached_sha256(target, blocked) == expected
    assert cached_sha256(target, blocked) == expected
    assert not list(tmp_path.glob(".hashes-*"))
    # A garbled memory is ignored and replaced.
    memory = tmp_path / "other.json"
    memory.write_text("{not json")
    assert cached_sha256(target, memory) == expected
    assert json.loads(memory.read_text())[str(target.resolve())]["sha256"] == expected
    # A remembered hash for another state of the file is not used.
    target.write_bytes(b"other bytes")
    assert cached_sha256(target, memory) == hashlib.sha256(b"other bytes").hexdigest()
