"""Load knowledge files and split them into chunks for retrieval.

A knowledge folder holds Markdown (with optional YAML front matter), plain text, HTML and PDF
files: ``loaders`` reads them (``html`` extracts a web page's own text), ``chunking`` cuts their
sections into chunks, ``types`` holds the values both produce. Nothing here embeds, indexes or
touches the network.
"""

from spinechat.documents.chunking import split_document, split_documents
from spinechat.documents.loaders import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    load_document,
    load_documents,
)
from spinechat.documents.types import Chunk, Document, DocumentError, Section, SkippedFile

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "Chunk",
    "Document",
    "DocumentError",
    "Section",
    "SkippedFile",
    "load_document",
    "load_documents",
    "split_document",
    "split_documents",
]
