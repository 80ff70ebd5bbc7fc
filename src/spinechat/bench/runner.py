"""``spinechat bench``: speed measured against floors taken in the same run.

Every figure is a ratio or sits beside its floor, so a slow machine does not read as a slow
spinechat: ingest throughput through the real ingest path against a bare encode of the same texts;
retrieval latency of the hybrid retriever against a bare Chroma ``collection.query`` on the same
query embedding and against numpy brute force; the BM25 libraries side by side; and the two
embedding backends (ONNX Runtime, torch) side by side in the same run: ingest, the web app's cold
start, ``/api/ask`` throughput and p95 at two concurrencies, and the app's memory.

Corpora are synthetic and seeded. The 1k corpus goes through the real ingest (files on disk,
chunking, MiniLM, Chroma). Larger corpora reuse real MiniLM vectors of a base set of synthetic
chunks, each mixed with a second one and a little noise, because embedding 100k passages on two
cores would take most of an hour and the latency of a search does not depend on which model made
the vectors.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from spinechat.bench.app import LOAD_LEVELS as LOAD_LEVELS_DEFAULT
from spinechat.bench.app import bench_app, bench_llm_ttft, bench_query_embedding
from spinechat.bench.corpus import patient_queries, synthetic_texts
from spinechat.bench.quality import BASE as QUALITY_BASE
from spinechat.bench.quality import LEAFLETS as QUALITY_LEAFLETS
from spinechat.bench.quality import format_quality, load_quality_queries, run_quality
from spinechat.config import Settings
from spinechat.documents import load_documents, split_document
from spinechat.embedding import BACKENDS, Embedder, load_embedder, pin_threads
from spinechat.index import ENCODE_BATCH, embedding_text, ingest, open_store
from spinechat.retrieval import HybridIndex, tokenize

QUERY_REPEATS = 60
WARMUP = 5
TOP_K = 5
BASE_VECTORS = 2000
SECTIONS_PER_DOC = 10

Log = Callable[[str], None]

# Targets from the issues; reported next to the measured value, never asserted in unit tests.
TARGETS = {
    "offline_answer_p50_ms": 150.0,
    "retrieval_vs_bare_chroma_p50_ratio": 1.5,
    "hybrid_p50_ms_at_10k": 20.0,
    "ingest_chunks_per_s": 50.0,
    "cold_start_s": 5.0,
    "app_peak_rss_mb": 450.0,
    "triage_p95_ms_4000_chars": 20.0,
    "ingest_vs_encode_floor": 0.95,
    "api_throughput_vs_torch_c20": 2.0,
    "api_p95_ms_c20": 250.0,
    "api_errors": 0.0,
    # Issue 16: document hit@3 of the 43 retrieval queries at 10k chunks with distractors, never
    # below the LangChain ensemble at any size, no slower than embed + bare Chroma.
    "quality_hit_at_3_at_10k": 0.97,
    "quality_hybrid_minus_ensemble_hit_at_3": 0.0,
    "quality_vs_floor_p50_ratio": 1.0,
}
# Targets met from above; every other target is a ceiling.
AT_LEAST = {
    "ingest_chunks_per_s",
    "ingest_vs_encode_floor",
    "api_throughput_vs_torch_c20",
    "quality_hit_at_3_at_10k",
    "quality_hybrid_minus_ensemble_hit_at_3",
}


def run_bench(
    settings: Settings,
    *,
    quick: bool,
    log: Log = lambda _: None,
    sizes: Sequence[int] | None = None,
    ingest_size: int = 1_000,
    base_size: int = BASE_VECTORS,
    repeats: int = QUERY_REPEATS,
    load_requests: int = 200,
    quality_base: int = QUALITY_BASE,
    quality_leaflets: int = QUALITY_LEAFLETS,
) -> dict[str, Any]:
    """Run the benchmark and return its JSON report (smaller sizes are for smoke tests).

    Everything but the backend comparison runs on the configured backend (``settings.embedder``).
    """
    threads = pin_threads(settings.threads)
    embedders = {
        backend: load_embedder(
            settings.threads, backend=backend, model_dir=settings.embedding_model_dir
        )
        for backend in BACKENDS
    }
    embedder = embedders[settings.embedder]
    if sizes is None:
        sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    queries = patient_queries()
    report: dict[str, Any] = {
        "machine": _machine(settings, threads),
        "quick": quick,
        "embedder": settings.embedder,
        "top_k": TOP_K,
        "queries": len(queries),
        "corpora": {},
    }
    with tempfile.TemporaryDirectory(prefix="spinechat-bench-") as tmp:
        root = Path(tmp)
        backends: dict[str, dict[str, Any]] = {}
        for backend, each in embedders.items():
            log(f"bench: ingesting {ingest_size} chunks through the real ingest path ({backend})")
            backends[backend] = _bench_ingest(root / backend, settings, each, ingest_size)
        report["backends"] = backends
        report.update(backends[settings.embedder])
        base_texts = synthetic_texts(base_size, seed=7)
        log(f"bench: embedding {base_size} base chunks for the larger corpora")
        base_vectors = embedder.embed_documents(base_texts)
        # The BM25 libraries are compared once, on the corpus nearest 10k chunks.
        compare_at = min(sizes, key=lambda size: abs(size - 10_000))
        for size in sizes:
            log(f"bench: {size} chunks")
            report["corpora"][str(size)] = _bench_corpus(
                root, settings, embedder, size, queries, base_vectors, repeats, size == compare_at
            )
        log("bench: red-flag triage of 4,000-character messages")
        report["triage"] = _bench_triage(embedder, root, queries, repeats)
        log("bench: query embedding against the bare encode of the same backend")
        report["query_embedding"] = bench_query_embedding(embedder, queries, _stats)
        if settings.knowledge_dir.is_dir():
            _bench_answers(report, root, settings, embedder, queries, log, load_requests)
        else:
            log(f"bench: no knowledge folder at {settings.knowledge_dir}; answers not measured")
            report.update(offline_answer=None, llm_ttft=None, cold_start=None)
        report["backend_ratios"] = _backend_ratios(backends)
        report["retrieval_quality"] = _bench_quality(
            root, settings, embedder, sizes, quality_base, quality_leaflets, log
        )
    ten_k = report["corpora"].get("10000", {})
    report["retrieval_vs_bare_chroma_p50_ratio"] = ten_k.get("hybrid_vs_bare_chroma_p50_ratio")
    report["hybrid_p50_ms_at_10k"] = ten_k.get("hybrid", {}).get("p50_ms")
    answers = report["offline_answer"]
    report["offline_answer_p50_ms"] = answers["warm"]["p50_ms"] if answers else None
    cold = report["cold_start"]
    report["cold_start_s"] = cold["seconds_to_first_answer"] if cold else None
    report["app_peak_rss_mb"] = cold["app_peak_rss_mb"] if cold else None
    report["triage_p95_ms_4000_chars"] = triage_headline(report["triage"])
    ours = backends[settings.embedder]
    report["ingest_vs_encode_floor"] = ours["ingest_vs_encode_floor"]
    high = str(max(LOAD_LEVELS_DEFAULT))
    app_load = ours.get("app", {}).get("load", {}).get(high)
    report["api_p95_ms_c20"] = app_load["p95_ms"] if app_load else None
    report["api_errors"] = (
        sum(
            level["errors"]
            for row in backends.values()
            for level in row.get("app", {}).get("load", {}).values()
        )
        if app_load
        else None
    )
    report["api_throughput_vs_torch_c20"] = report["backend_ratios"].get(f"answers_per_s_c{high}")
    quality = report["retrieval_quality"] or {}
    report["quality_hit_at_3_at_10k"] = (
        quality.get("hit_at_3_retrieval_queries")
        if quality.get("headline_chunks") == 10_000
        else None
    )
    report["quality_hybrid_minus_ensemble_hit_at_3"] = quality.get("hybrid_minus_ensemble_hit_at_3")
    report["quality_vs_floor_p50_ratio"] = (
        quality.get("hybrid_vs_floor_p50_ratio")
        if quality.get("headline_chunks") == 10_000
        else None
    )
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    report["machine"]["load_average_after"] = _load_average()
    report["targets"] = _targets(report, TARGETS)
    return report


def run_app_bench(
    settings: Settings,
    *,
    log: Log = lambda _: None,
    backends: Sequence[str] = BACKENDS,
    load_requests: int = 200,
) -> dict[str, Any]:
    """Only the web app, per embedding backend (``spinechat bench --app``): a bare floor process,
    then a fresh ``python app.py`` on an index of the knowledge folder built first: cold start,
    ``/api/ask`` load, peak RSS, each beside the floor. A few minutes instead of the whole bench."""
    from spinechat.retrieval import open_index

    report: dict[str, Any] = {
        "machine": _machine(settings, pin_threads(settings.threads)),
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="spinechat-bench-app-") as tmp:
        local = Settings(
            data_dir=Path(tmp) / "answers-data",
            knowledge_dir=settings.knowledge_dir,
            prompts_dir=settings.prompts_dir,
            threads=settings.threads,
            cache_dir=settings.embedding_model_dir.parent,
        )
        log("bench: indexing the knowledge folder for the app")
        open_index(local, load_embedder(settings.threads, model_dir=settings.embedding_model_dir))
        for backend in backends:
            log(f"bench: the {backend} floor, then the web app on {backend}")
            report["backends"][backend] = {
                "app": bench_app(local, local.data_dir, backend, _stats, requests=load_requests)
            }
    report["machine"]["load_average_after"] = _load_average()
    report["backend_ratios"] = _backend_ratios(report["backends"])
    ours = report["backends"].get(settings.embedder, {}).get("app")
    report["cold_start_s"] = ours["seconds_to_first_answer"] if ours else None
    report["app_peak_rss_mb"] = ours["app_peak_rss_mb"] if ours else None
    report["targets"] = _targets(
        report, {key: TARGETS[key] for key in ("cold_start_s", "app_peak_rss_mb")}
    )
    return report


def format_app(report: dict[str, Any]) -> str:
    """``run_app_bench``'s report as lines for a terminal."""
    machine = report["machine"]
    lines = [
        f"spinechat bench --app on {machine['cpus']} CPUs, load average "
        f"{machine['load_average']} before, {machine['load_average_after']} after"
    ]
    lines.extend(_backend_lines(report))
    for key, row in report["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "n/a"}[row["met"]]
        lines.append(f"target {key}: {row['measured']} vs {row['target']} ({verdict})")
    return "\n".join(lines)


def run_quality_bench(
    settings: Settings, *, quick: bool, log: Log = lambda _: None
) -> dict[str, Any]:
    """Only the retrieval-quality section of ``run_bench`` (``spinechat bench --quality``)."""
    threads = pin_threads(settings.threads)
    embedder = load_embedder(
        settings.threads, backend=settings.embedder, model_dir=settings.embedding_model_dir
    )
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    with tempfile.TemporaryDirectory(prefix="spinechat-bench-") as tmp:
        quality = _bench_quality(
            Path(tmp), settings, embedder, sizes, QUALITY_BASE, QUALITY_LEAFLETS, log
        )
    return {
        "machine": {"cpus": _cpu_count(), "python": platform.python_version(), **threads},
        "quick": quick,
        "embedder": settings.embedder,
        "retrieval_quality": quality,
    }


def format_table(report: dict[str, Any]) -> str:
    """The report as a plain-text table for a terminal."""
    lines = [
        f"spinechat bench ({'quick' if report['quick'] else 'full'}) on {report['machine']['cpus']} CPUs, "
        f"{report['machine']['thread_pinning']}",
        f"ingest: {report['ingest_chunks_per_s']} chunks/s "
        f"(bare MiniLM encode: {report['embed_only_chunks_per_s']} chunks/s)",
        "",
        f"{'chunks':>8} {'hybrid p50/p95 ms':>18} {'embed+chroma p50/p95':>21} "
        f"{'ratio':>6} {'dense p50':>9} {'bm25 p50':>9} {'numpy p50':>9} {'chroma only':>11}",
    ]
    for size, row in report["corpora"].items():
        lines.append(
            f"{int(size):>8} {row['hybrid']['p50_ms']:>8.2f} / {row['hybrid']['p95_ms']:<7.2f} "
            f"{row['embed_plus_bare_chroma']['p50_ms']:>10.2f} / {row['embed_plus_bare_chroma']['p95_ms']:<8.2f} "
            f"{row['hybrid_vs_bare_chroma_p50_ratio']:>6.2f} {row['dense']['p50_ms']:>9.2f} "
            f"{row['bm25_only']['p50_ms']:>9.2f} {row['numpy_brute_force']['p50_ms']:>9.3f} "
            f"{row['bare_chroma']['p50_ms']:>11.3f}"
        )
    for size, row in report["corpora"].items():
        libs = row.get("bm25_libraries")
        if not libs:
            continue
        lines.append("")
        lines.append(f"BM25 libraries at {size} chunks (index s, query p50 ms):")
        for name, lib in libs.items():
            if lib is None:
                lines.append(f"  {name:<10} not installed (pip install spinechat[dev])")
            else:
                lines.append(
                    f"  {name:<10} {lib['index_s']:>7.2f} s {lib['query_p50_ms']:>9.3f} ms"
                )
    lines.extend(_backend_lines(report))
    if report.get("retrieval_quality"):
        lines.append("")
        lines.extend(format_quality(report["retrieval_quality"]))
    lines.append("")
    for key, row in report["targets"].items():
        verdict = {True: "met", False: "MISSED", None: "n/a"}[row["met"]]
        lines.append(f"target {key}: {row['measured']} vs {row['target']} ({verdict})")
    embedding = report.get("query_embedding")
    if embedding:
        lines.append(
            f"query embedding p50: {embedding['spinechat']['p50_ms']:.2f} ms vs bare encode "
            f"{embedding['bare_encode']['p50_ms']:.2f} ms (ratio {embedding['ratio_p50']})"
        )
    ttft = report.get("llm_ttft")
    if ttft:
        lines.append(
            f"LLM path (fake server) first token p50/p95: {ttft['first_token']['p50_ms']:.1f} / "
            f"{ttft['first_token']['p95_ms']:.1f} ms"
        )
    cold = report.get("cold_start")
    if cold:
        lines.append(
            f"cold start ({cold['command']}) to first answer: {cold['seconds_to_first_answer']} s, "
            f"app peak RSS {cold['app_peak_rss_mb']} MB"
        )
        floor = cold.get("floor")
        if floor:
            lines.append(
                f"  floor (bare load + one embedding): {floor['seconds']} s, "
                f"{floor['peak_rss_mb']} MB; app / floor {cold['cold_start_vs_floor']} and "
                f"{cold['app_rss_vs_floor']}"
            )
    answers = report.get("offline_answer")
    if answers:
        lines.append(
            f"offline answer p50/p95: {answers['warm']['p50_ms']:.1f} / {answers['warm']['p95_ms']:.1f} ms "
            f"warm, {answers['first_pass']['p50_ms']:.1f} / {answers['first_pass']['p95_ms']:.1f} ms "
            "first pass"
        )
    triage = report.get("triage")
    if triage:
        lines.extend(format_triage(triage))
    lines.append(f"peak RSS: {report['peak_rss_mb']} MB")
    return "\n".join(lines)


def format_triage(triage: dict[str, Any]) -> list[str]:
    """The triage section as lines: wall and CPU p50 / p95 of each kind of message."""
    names = {
        "full": "full (phrases find an emergency)",
        "full_urgent": "full, only urgent phrases (meaning read)",
        "full_urgent_cold": "the same, nothing remembered",
        "phrases": "phrases only",
        "floor": "floor: MiniLM on the most clauses embedded",
    }
    lines = [
        f"triage of {triage['message_chars']}-character messages (ms)  wall p50 / p95   CPU p50 / p95"
    ]
    for key, name in names.items():
        if key in triage:
            row = triage[key]
            cpu = (
                f"{row['cpu_p50_ms']:7.1f} / {row['cpu_p95_ms']:<7.1f}"
                if "cpu_p50_ms" in row
                else ""
            )
            lines.append(f"  {name:<44} {row['p50_ms']:7.1f} / {row['p95_ms']:<7.1f} {cpu}")
    return lines


def triage_headline(triage: dict[str, Any]) -> float:
    """The slowest p95 of the kinds of message: one with an emergency the phrases find skips the
    meaning pass, and the bench's messages repeat clauses that triage remembers, so "full" or
    "full_urgent" alone would report a fast path and call the target met; a message never seen
    before ("full_urgent_cold") is what a patient's message costs."""
    return max(triage[kind]["p95_ms"] for kind in ("full", "full_urgent", "full_urgent_cold"))


def run_triage_bench(settings: Settings, *, log: Log = lambda _: None) -> dict[str, Any]:
    """Only the triage section of ``run_bench`` (``spinechat bench --triage``), with its headline
    figure and target."""
    threads = pin_threads(settings.threads)
    embedder = load_embedder(
        settings.threads, backend=settings.embedder, model_dir=settings.embedding_model_dir
    )
    with tempfile.TemporaryDirectory(prefix="spinechat-bench-") as tmp:
        log("bench: red-flag triage of 4,000-character messages")
        triage = _bench_triage(embedder, Path(tmp), patient_queries(), QUERY_REPEATS)
    measured = triage_headline(triage)
    target = TARGETS["triage_p95_ms_4000_chars"]
    return {
        "machine": {"cpus": _cpu_count(), "python": platform.python_version(), **threads},
        "embedder": settings.embedder,
        "triage": triage,
        "triage_p95_ms_4000_chars": measured,
        "targets": {
            "triage_p95_ms_4000_chars": {
                "target": target,
                "measured": measured,
                "met": _met("triage_p95_ms_4000_chars", measured, target),
            }
        },
    }


def _bench_ingest(
    root: Path, settings: Settings, embedder: Embedder, chunks: int
) -> dict[str, Any]:
    """The real ingest of ``chunks`` synthetic chunks, beside its floor: one bare
    ``embed_documents`` call on exactly the texts the ingest embeds, same backend, same batch."""
    knowledge = root / "ingest-knowledge"
    knowledge.mkdir(parents=True)
    texts = synthetic_texts(chunks, seed=3)
    for d in range(0, chunks, SECTIONS_PER_DOC):
        body = "\n\n".join(
            f"## Section {s}\n\n{texts[d + s]}" for s in range(min(SECTIONS_PER_DOC, chunks - d))
        )
        (knowledge / f"doc-{d:06d}.md").write_text(f"# Synthetic document {d}\n\n{body}\n")
    local = Settings(
        data_dir=root / "ingest-data",
        knowledge_dir=knowledge,
        collection="bench-ingest",
        threads=settings.threads,
    )
    start = time.perf_counter()
    result = ingest(local, embedder)
    elapsed = time.perf_counter() - start
    # The floor embeds what the ingest embedded: the same headings, sections and bodies.
    embedded = [
        embedding_text(c.title, c.section, c.text, c.context)
        for doc in load_documents(knowledge)[0]
        for c in split_document(doc)
    ]
    start = time.perf_counter()
    embedder.embed_documents(embedded, batch_size=ENCODE_BATCH)
    encode_s = time.perf_counter() - start
    ingest_rate = result.chunks / elapsed
    encode_rate = len(embedded) / encode_s if embedded else 0.0
    return {
        "ingest_chunks": result.chunks,
        "ingest_seconds": round(elapsed, 2),
        "ingest_chunks_per_s": round(ingest_rate, 1),
        "embed_only_chunks_per_s": round(encode_rate, 1),
        "ingest_vs_encode_floor": round(ingest_rate / encode_rate, 3) if encode_rate else None,
    }


def _backend_lines(report: dict[str, Any]) -> list[str]:
    """The two embedding backends side by side, with ONNX/torch ratios."""
    backends, ratios = report.get("backends") or {}, report.get("backend_ratios") or {}
    if not backends:
        return []
    names = list(backends)
    rows: list[tuple[str, str]] = [
        ("ingest chunks/s", "ingest_chunks_per_s"),
        ("bare encode chunks/s", "embed_only_chunks_per_s"),
        ("ingest / encode floor", "ingest_vs_encode_floor"),
    ]
    lines = ["", f"{'backends':<28}" + "".join(f"{n:>12}" for n in names) + f"{'onnx/torch':>12}"]

    def add(label: str, values: list[Any], ratio: Any = None) -> None:
        # str() first: a format width on a bool prints 0 or 1.
        cells = "".join(f"{'n/a' if v is None else str(v):>12}" for v in values)
        lines.append(f"{label:<28}{cells}{'' if ratio is None else ratio:>12}")

    for label, key in rows:
        values = [backends[n].get(key) for n in names]
        if any(value is not None for value in values):
            add(label, values, ratios.get(key))
    apps = [backends[n].get("app") or {} for n in names]
    if all(apps):
        add(
            "cold start to answer s",
            [a["seconds_to_first_answer"] for a in apps],
            ratios.get("seconds_to_first_answer"),
        )
        add("app peak RSS MB", [a["app_peak_rss_mb"] for a in apps], ratios.get("app_peak_rss_mb"))
        if all(a.get("floor") for a in apps):
            add("floor: bare load+embed s", [a["floor"]["seconds"] for a in apps])
            add("floor: its peak RSS MB", [a["floor"]["peak_rss_mb"] for a in apps])
            add("cold start / floor", [a["cold_start_vs_floor"] for a in apps])
            add("app RSS / floor", [a["app_rss_vs_floor"] for a in apps])
        add("torch in app process", [a["torch_loaded"] for a in apps])
        for level in apps[0]["load"]:
            loads = [a["load"][level] for a in apps]
            add(
                f"/api/ask answers/s c={level}",
                [x["answers_per_s"] for x in loads],
                ratios.get(f"answers_per_s_c{level}"),
            )
            add(
                f"/api/ask p95 ms c={level}",
                [x["p95_ms"] for x in loads],
                ratios.get(f"p95_ms_c{level}"),
            )
            add(f"/api/ask errors c={level}", [x["errors"] for x in loads])
    return lines


def _backend_ratios(backends: dict[str, dict[str, Any]]) -> dict[str, float | None]:
    """ONNX over torch for each figure both backends have (above 1: ONNX does more or takes more)."""
    onnx, torch = backends.get("onnx", {}), backends.get("torch", {})
    pairs: dict[str, tuple[Any, Any]] = {
        "ingest_chunks_per_s": (onnx.get("ingest_chunks_per_s"), torch.get("ingest_chunks_per_s")),
    }
    onnx_app, torch_app = onnx.get("app", {}), torch.get("app", {})
    for key in ("seconds_to_first_answer", "app_peak_rss_mb"):
        pairs[key] = (onnx_app.get(key), torch_app.get(key))
    for level, row in onnx_app.get("load", {}).items():
        other = torch_app.get("load", {}).get(level, {})
        pairs[f"answers_per_s_c{level}"] = (row["answers_per_s"], other.get("answers_per_s"))
        pairs[f"p95_ms_c{level}"] = (row["p95_ms"], other.get("p95_ms"))
    return {
        key: round(a / b, 3) if isinstance(a, int | float) and b else None
        for key, (a, b) in pairs.items()
    }


def _bench_corpus(
    root: Path,
    settings: Settings,
    embedder: Any,
    size: int,
    queries: Sequence[str],
    base_vectors: np.ndarray,
    repeats: int,
    compare_bm25: bool,
) -> dict[str, Any]:
    rng = np.random.default_rng(size)
    texts = synthetic_texts(size, seed=size)
    first = rng.integers(0, len(base_vectors), size)
    second = rng.integers(0, len(base_vectors), size)
    vectors = 0.7 * base_vectors[first] + 0.3 * base_vectors[second]
    vectors += rng.normal(scale=0.02, size=vectors.shape).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = vectors.astype(np.float32)

    local = Settings(
        data_dir=root / f"data-{size}", collection=f"bench-{size}", threads=settings.threads
    )
    store = open_store(local)
    collection = store.create_collection(embedder)
    start = time.perf_counter()
    for lo in range(0, size, 5000):
        hi = min(lo + 5000, size)
        collection.add(
            ids=[f"c{i}" for i in range(lo, hi)],
            embeddings=vectors[lo:hi],
            documents=texts[lo:hi],
            metadatas=[
                {
                    "doc_id": f"doc-{i // SECTIONS_PER_DOC}",
                    "title": "Synthetic",
                    "section": f"S{i % 10}",
                    "position": i,
                }
                for i in range(lo, hi)
            ],
        )
    write_s = time.perf_counter() - start
    start = time.perf_counter()
    index = HybridIndex(collection, embedder)
    load_s = time.perf_counter() - start

    embed_t, bare_t, hybrid_t, dense_t, bm25_t, numpy_t = [], [], [], [], [], []
    for n in range(WARMUP + repeats):
        query = queries[n % len(queries)]
        t0 = time.perf_counter()
        vector = embedder.embed_query(query)
        t1 = time.perf_counter()
        collection.query(query_embeddings=[vector], n_results=TOP_K)
        t2 = time.perf_counter()
        index.search(query, k=TOP_K, mode="hybrid", vector=vector)
        t3 = time.perf_counter()
        index.search(query, k=TOP_K, mode="dense", vector=vector)
        t4 = time.perf_counter()
        index.search(query, k=TOP_K, mode="bm25")
        t5 = time.perf_counter()
        scores = vectors @ vector
        top = np.argpartition(-scores, TOP_K)[:TOP_K]
        top[np.argsort(-scores[top])]
        t6 = time.perf_counter()
        if n >= WARMUP:
            embed_t.append(t1 - t0)
            bare_t.append(t2 - t1)
            hybrid_t.append(t3 - t2)
            dense_t.append(t4 - t3)
            bm25_t.append(t5 - t4)
            numpy_t.append(t6 - t5)
    hybrid_total = [e + h for e, h in zip(embed_t, hybrid_t, strict=True)]
    floor_total = [e + b for e, b in zip(embed_t, bare_t, strict=True)]
    dense_total = [e + d for e, d in zip(embed_t, dense_t, strict=True)]
    row: dict[str, Any] = {
        "chroma_write_s": round(write_s, 2),
        "retriever_load_s": round(load_s, 2),
        "query_embedding": _stats(embed_t),
        "bare_chroma": _stats(bare_t),
        "embed_plus_bare_chroma": _stats(floor_total),
        "hybrid": _stats(hybrid_total),
        "hybrid_given_embedding": _stats(hybrid_t),
        "dense": _stats(dense_total),
        "bm25_only": _stats(bm25_t),
        "numpy_brute_force": _stats(numpy_t),
        "hybrid_vs_bare_chroma_p50_ratio": round(
            statistics.median(hybrid_total) / statistics.median(floor_total), 3
        ),
        "hybrid_vs_numpy_plus_embed_p50_ratio": round(
            statistics.median(hybrid_total)
            / statistics.median([e + n for e, n in zip(embed_t, numpy_t, strict=True)]),
            3,
        ),
    }
    if compare_bm25:
        row["bm25_libraries"] = _bench_bm25_libraries(texts, queries)
    return row


def _bench_quality(
    root: Path,
    settings: Settings,
    embedder: Embedder,
    sizes: Sequence[int],
    base: int,
    leaflets: int,
    log: Log,
) -> dict[str, Any] | None:
    """Retrieval quality with distractors (``bench.quality``), on the queries of the checkout
    that holds the knowledge folder; None, said in the log, where they are not there."""
    repo = settings.knowledge_dir.parent
    paths = (repo / "tests" / "data" / "retrieval_queries.jsonl", repo / "evals" / "answers.jsonl")
    missing = [str(path) for path in (settings.knowledge_dir, *paths) if not path.exists()]
    if missing:
        log(f"bench: retrieval quality not measured, missing {', '.join(missing)}")
        return None
    return run_quality(
        root,
        settings,
        embedder,
        load_quality_queries(*paths),
        sizes=sizes,
        base=base,
        leaflets=leaflets,
        log=log,
    )


def _bench_answers(
    report: dict[str, Any],
    root: Path,
    settings: Settings,
    embedder: Any,
    queries: Sequence[str],
    log: Log,
    load_requests: int,
) -> None:
    """Whole answers on the real knowledge: offline, through the LLM path, and a fresh app per
    embedding backend (cold start, load on ``/api/ask``, memory).

    The offline first pass meets every passage for the first time (its sentences are embedded
    then); the warm pass is what a running app sees once its sentence cache holds the corpus.
    """
    from spinechat.answer.offline import OfflineAnswerer
    from spinechat.answer.pipeline import Answerer
    from spinechat.retrieval import open_index

    local = Settings(
        data_dir=root / "answers-data",
        knowledge_dir=settings.knowledge_dir,
        prompts_dir=settings.prompts_dir,
        threads=settings.threads,
    )
    index = open_index(local, embedder)
    offline = OfflineAnswerer(embedder)
    answerer = Answerer(settings=local, index=index, offline=offline)
    log("bench: offline answers over the shipped knowledge")
    passes = []
    for _ in range(2):
        timings = []
        for query in queries:
            start = time.perf_counter()
            answerer.ask(query)
            timings.append(time.perf_counter() - start)
        passes.append(timings)
    report["offline_answer"] = {
        "first_pass": _stats(passes[0]),
        "warm": _stats(passes[1]),
        "questions": len(queries),
    }
    log("bench: time to first token through the fake LLM server")
    report["llm_ttft"] = bench_llm_ttft(local, index, offline, queries, _stats)
    for backend in BACKENDS:
        log(f"bench: the web app on {backend}: cold start, then /api/ask load, then its memory")
        report["backends"][backend]["app"] = bench_app(
            local.with_overrides(cache_dir=settings.embedding_model_dir.parent),
            local.data_dir,
            backend,
            _stats,
            requests=load_requests,
            levels=LOAD_LEVELS_DEFAULT,
        )
    ours = report["backends"][settings.embedder]["app"]
    report["cold_start"] = {
        "command": f"python app.py (SPINECHAT_EMBEDDER={settings.embedder})",
        "seconds_to_first_answer": ours["seconds_to_first_answer"],
        "app_peak_rss_mb": ours["app_peak_rss_mb"],
        "floor": ours["floor"],
        "cold_start_vs_floor": ours["cold_start_vs_floor"],
        "app_rss_vs_floor": ours["app_rss_vs_floor"],
    }


def _bench_bm25_libraries(texts: Sequence[str], queries: Sequence[str]) -> dict[str, Any]:
    """bm25s (what spinechat uses) against rank-bm25 (what LangChain's BM25Retriever wraps)."""
    import bm25s

    corpus = [tokenize(t) for t in texts]
    tokenized_queries = [tokenize(q) for q in queries]
    results: dict[str, Any] = {}
    start = time.perf_counter()
    engine = bm25s.BM25()
    engine.index(corpus, show_progress=False)
    index_s = time.perf_counter() - start
    vocab = set(engine.vocab_dict)
    timings = []
    for tokens in tokenized_queries * 2:
        known = [t for t in tokens if t in vocab]
        t0 = time.perf_counter()
        scores = engine.get_scores(known) if known else np.zeros(len(texts))
        np.argpartition(-scores, TOP_K)[:TOP_K]
        timings.append(time.perf_counter() - t0)
    results["bm25s"] = {"index_s": round(index_s, 3), "query_p50_ms": _stats(timings)["p50_ms"]}
    try:
        from rank_bm25 import BM25Okapi
    except ImportError:
        results["rank_bm25"] = None  # installed with the dev extras only
        return results
    start = time.perf_counter()
    okapi = BM25Okapi(corpus)
    index_s = time.perf_counter() - start
    timings = []
    for tokens in tokenized_queries * 2:
        t0 = time.perf_counter()
        scores = okapi.get_scores(tokens)
        np.argpartition(-scores, TOP_K)[:TOP_K]
        timings.append(time.perf_counter() - t0)
    results["rank_bm25"] = {"index_s": round(index_s, 3), "query_p50_ms": _stats(timings)["p50_ms"]}
    return results


def _bench_triage(
    embedder: Any, root: Path, queries: Sequence[str], repeats: int
) -> dict[str, Any]:
    """Triage of whole 4,000-character messages, full (phrases and meaning) and phrases only, beside
    its floor: MiniLM embedding the most clauses triage ever embeds for one message.

    The messages carry red flags, and the phrases find their emergency, so full triage skips the
    meaning pass; ``full_urgent`` times messages whose phrases find only an urgent flag (questions
    with none, and a red wound), where it runs. The messages are built from a few dozen questions,
    so their clauses repeat and the clause readings and matches triage remembers serve most of them;
    ``full_urgent_cold`` times the same messages with all of that forgotten first, as a message
    never seen before costs. Wall time (``p50_ms``, ``p95_ms``) and the process's CPU time
    (``cpu_p50_ms``, ``cpu_p95_ms``), which other jobs on the machine inflate less."""
    from spinechat.safety.conversation import Triager, clear_caches
    from spinechat.safety.semantic import MAX_CLAUSES

    cache = root / "cache"
    full, phrases = Triager(embedder, cache_dir=cache), Triager()
    red_flags = (
        "and since yesterday he can't feel the toilet seat when he sits down. ",
        "the wound has gone red and there is yellow stuff on the dressing. ",
        "my leg is getting weaker every day and I keep tripping over my foot. ",
    )
    quiet_queries = [q for q in queries if phrases.triage([q]).urgency == "none"]
    messages, urgent = [], []
    for i in range(max(repeats, 20)):
        text, quiet, j = "", "", i
        while len(text) < 4_000:
            text += queries[j % len(queries)] + " " + red_flags[j % len(red_flags)]
            j += 7
        while len(quiet) < 4_000:
            quiet += quiet_queries[j % len(quiet_queries)] + " " + red_flags[1]
            j += 7
        messages.append(text[:4_000])
        urgent.append(quiet[:4_000])
    clause = "my leg is getting weaker every day and I keep tripping over my foot"
    kinds = ("full", "phrases", "floor", "full_urgent", "full_urgent_cold")
    timings: dict[str, list[float]] = {name: [] for name in kinds}
    cpu: dict[str, list[float]] = {name: [] for name in kinds}

    def timed(name: str, run: Callable[[Any], Any], arg: Any) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        run(arg)
        timings[name].append(time.perf_counter() - started)
        cpu[name].append(time.process_time() - started_cpu)

    for message, quiet in zip(messages, urgent, strict=True):
        # A fresh triager (the examples stay embedded) for the urgent ones: nine questions repeat
        # those messages, and a turn already read is remembered.
        fresh = Triager(embedder, cache_dir=cache)
        timed("full", full.triage, [message])
        timed("phrases", phrases.triage, [message])
        timed("floor", embedder.embed_documents, [clause] * MAX_CLAUSES)
        timed("full_urgent", fresh.triage, [quiet])
    # Afterwards, so that forgetting does not slow the rows above.
    for quiet in urgent:
        clear_caches()
        fresh = Triager(embedder, cache_dir=cache)
        timed("full_urgent_cold", fresh.triage, [quiet])
    stats = {
        name: {**_stats(timings[name]), **{f"cpu_{k}": v for k, v in _stats(cpu[name]).items()}}
        for name in kinds
    }
    return {
        "message_chars": 4_000,
        "messages": len(messages),
        **stats,
        "full_vs_floor_p50_ratio": round(stats["full"]["p50_ms"] / stats["floor"]["p50_ms"], 3),
    }


def _stats(seconds: Sequence[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3), "p95_ms": round(p95 * 1000, 3)}


def _targets(report: dict[str, Any], targets: dict[str, float]) -> dict[str, dict[str, Any]]:
    return {
        key: {
            "target": target,
            "measured": report.get(key),
            "met": _met(key, report.get(key), target),
        }
        for key, target in targets.items()
    }


def _machine(settings: Settings, threads: dict[str, int]) -> dict[str, Any]:
    # The load average says how much of the machine the figures had: on a shared machine every
    # absolute time rises with it, the ratios to floors much less.
    return {
        "cpus": _cpu_count(),
        "python": platform.python_version(),
        **threads,
        "thread_pinning": (
            f"torch.set_num_threads({settings.threads}) and threadpoolctl.threadpool_limits"
            f"({settings.threads}) for BLAS; set SPINECHAT_THREADS to change"
        ),
        "load_average": _load_average(),
    }


def _load_average() -> list[float] | None:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return None


def _met(key: str, measured: Any, target: float) -> bool | None:
    if measured is None:
        return None
    if key in AT_LEAST:
        return bool(measured >= target)
    return bool(measured <= target)


def _cpu_count() -> int:
    import os

    return (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
