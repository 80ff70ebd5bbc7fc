"""Citations people can follow (issue 13): renumbering, the supporting sentence, links and escaping."""

from __future__ import annotations

import re

from spinechat.answer.types import Source
from spinechat.web import citations, ui

EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'


def _source(n: int, text: str = "A passage.", **kw: str) -> Source:
    fields = {"doc_id": f"doc-{n}", "chunk_id": f"c{n}", "title": f"Title {n}", "section": ""}
    return Source(n=n, text=text, **{**fields, **kw})


def test_renumber_runs_one_to_k_in_order_of_first_use() -> None:
    sources = [_source(1), _source(2), _source(4), _source(5)]
    text, numbered = citations.renumber(
        "Loose screws hurt [4]. Removal is safe [2][4]. [9]", sources
    )
    assert text == "Loose screws hurt [1]. Removal is safe [2][1]. [9]"
    # Cited sources first with their new numbers, the uncited after them: no gaps.
    assert [(s.n, s.doc_id) for s in numbered] == [
        (1, "doc-4"),
        (2, "doc-2"),
        (3, "doc-1"),
        (4, "doc-5"),
    ]


def test_renumber_keeps_a_text_without_citations() -> None:
    text, numbered = citations.renumber("Nothing cited.", [_source(3)])
    assert text == "Nothing cited." and [s.n for s in numbered] == [1]


def test_supporting_sentence_is_the_one_sharing_most_words() -> None:
    passage = (
        "Screws are made of titanium. Removal of a loose screw is usually safe and quick. "
        "Infection needs antibiotics."
    )
    citing = "Removing a loose screw is usually a safe operation [2]."
    assert citations.supporting_sentence(passage, citing) == (
        "Removal of a loose screw is usually safe and quick."
    )
    assert citations.supporting_sentence(passage, "unrelated words entirely") == ""


def test_highlight_marks_the_sentence_and_escapes_the_rest() -> None:
    passage = f"First {EVIL} here. The sentence that matters."
    marked = citations.highlight(passage, "The sentence that matters.")
    assert "<mark>The sentence that matters.</mark>" in marked
    assert "<script" not in marked and "&lt;script&gt;" in marked


def test_answer_html_links_each_citation_to_this_answers_own_source() -> None:
    sources = [_source(1, "Screws can loosen over time."), _source(2, f"Skin {EVIL} can thin.")]
    text, numbered = citations.renumber("Screws loosen [2]. Skin thins [1].", sources)
    first = ui.answer_html(text, numbered, "aaa")
    second = ui.answer_html(text, numbered, "bbb")
    for key, rendered in (("aaa", first), ("bbb", second)):
        links = re.findall(r'href="#([^"]+)"', rendered)
        ids = re.findall(r'<li id="([^"]+)"', rendered)
        assert links == [f"spinechat-{key}-source-1", f"spinechat-{key}-source-2"]
        assert sorted(links) == sorted(ids)
    # Another answer's [1] never points at this answer's list.
    assert not set(re.findall(r'id="([^"]+)"', first)) & set(re.findall(r'id="([^"]+)"', second))
    assert "<script" not in first and "<img" not in first
    assert "Sources for this answer (2)" in first


def test_a_source_is_named_by_title_publisher_and_date_never_its_id() -> None:
    source = _source(1, publisher="NHS", date="2024-03-01", section="After surgery")
    shown = citations.describe_source(source)
    assert shown == "Title 1, After surgery · NHS · 2024-03-01"
    panel = ui.sources_html([source])
    assert "doc-1" not in panel and "From the document" not in panel
    # The number is printed once: no <ol> numbering beside "[1]".
    assert "<ol" not in panel and panel.count("[1]") == 1


def test_plain_answer_reads_the_text_back_for_follow_ups() -> None:
    sources = [_source(1, "Screws can loosen over time.")]
    text = "Screws can loosen [1] &lt;b&gt;."
    assert citations.plain_answer(ui.answer_html(text, sources, "k")) == text


def test_link_preview_rewrite_escapes_and_replaces_gradios_tags() -> None:
    from spinechat.web.meta import rewrite_link_preview

    page = (
        '<head><meta charset="utf-8" />\n<meta property="og:url" content="{url}" />\n<meta\n'
        '  property="og:image"\n  content="https://example.org/x.jpg"\n/>'
        '<meta name="twitter:title" content="Gradio" /></head>'
    )
    out = rewrite_link_preview(page, title="A <b>", description='say "hi"', url="http://h/")
    assert "{url}" not in out and "example.org" not in out and "Gradio" not in out
    assert "<title>A &lt;b&gt;</title>" in out and 'content="say &quot;hi&quot;"' in out
    assert '<meta property="og:url" content="http://h/" />' in out
