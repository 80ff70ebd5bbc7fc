"""Export the packaged all-MiniLM-L6-v2 to ONNX: ``python -m spinechat.embedding_export FOLDER``.

This is the one place outside the ``SPINECHAT_EMBEDDER=torch`` path that needs torch, so it runs
in a subprocess of its own (``spinechat.embedding`` starts it) and the app process never imports
torch. It writes ``model.onnx`` and ``manifest.json`` into FOLDER: the hashes of the ONNX file and
of the weights it came from, and the torch (sentence-transformers) vector of a probe sentence.
Before writing the manifest it checks that ONNX Runtime, with spinechat's own tokenisation and
pooling, gives the same vectors as sentence-transformers on the probe texts; an export that does
not is refused, so a different vector space can never be installed silently.

Errors print one line on stderr and exit with status 1.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

OPSET = 17
# Texts of different lengths and kinds, one past the 256-token limit, so a tokeniser or pooling
# difference shows up before the export is accepted.
CHECK_TEXTS = (
    "Will removing a loose screw cost extra?",
    "Spinal fusion — Recovery\nIn reply to: when can I drive?\nMost people drive again after "
    "two to six weeks, once they can turn their head and brake hard without pain.",
    "rod " * 400,
    "a",
)


def export(out_dir: Path) -> dict[str, Any]:
    """Export the packaged model into ``out_dir`` and return the manifest written beside it."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    from spinechat import embedding

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    source = embedding.packaged_model_dir()
    # Eager attention: the plain matmul/softmax graph exports cleanly with the legacy exporter.
    model = AutoModel.from_pretrained(
        str(source), local_files_only=True, attn_implementation="eager"
    ).eval()

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    out_dir.mkdir(parents=True, exist_ok=True)
    onnx_path = out_dir / embedding.ONNX_FILE
    dummy = torch.ones((2, 8), dtype=torch.int64)
    dynamic = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        # dynamo=False: the TorchScript-based exporter handles BERT with dynamic batch and length
        # in one call; the dynamo exporter needs Dim specs for the same result.
        torch.onnx.export(
            _Encoder(model),
            (dummy, dummy, torch.zeros_like(dummy)),
            str(onnx_path),
            input_names=list(embedding.ONNX_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes={
                **{name: dynamic for name in embedding.ONNX_INPUTS},
                "last_hidden_state": {0: "batch", 1: "tokens"},
            },
            opset_version=OPSET,
            dynamo=False,
        )
    reference = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    expected = reference.encode(
        list(CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
    )
    session = embedding.OnnxMiniLM(onnx_path, threads=1)
    got = session.encode(list(CHECK_TEXTS))
    cosines = np.sum(got * expected, axis=1)
    if float(cosines.min()) < embedding.MIN_COSINE:
        raise RuntimeError(
            f"the ONNX model disagrees with sentence-transformers (lowest cosine {cosines.min():.6f})"
        )
    manifest = {
        "model": embedding.MODEL_NAME,
        "onnx_sha256": embedding.sha256_file(onnx_path),
        "source_sha256": embedding.sha256_file(source / embedding.WEIGHTS_FILE),
        "max_seq_length": embedding.MAX_SEQ_LENGTH,
        "opset": OPSET,
        "torch": torch.__version__,
        "probe": embedding.PROBE_TEXT,
        "probe_vector": [float(x) for x in reference.encode([embedding.PROBE_TEXT])[0]],
        "check_min_cosine": float(cosines.min()),
    }
    (out_dir / embedding.MANIFEST_FILE).write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m spinechat.embedding_export FOLDER", file=sys.stderr)
        return 2
    try:
        export(Path(argv[0]))
    except Exception as err:
        message = " ".join(str(err).split())[:300] or type(err).__name__
        print(f"{type(err).__name__}: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
