"""Knowledge gaps (``governance.gaps``): which answers count as gaps, weekly counts by kind, the
grouping's quality on the labelled pairs (``tests/data/gap_pairs.jsonl``, written before the
threshold was chosen), the view with question texts off, ``spinechat gaps`` and its errors, and the
staff tab's role check on a real server. Real MiniLM, real SQLite stores in temp folders."""

from __future__ import annotations

import csv
import inspect
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from spinechat.config import Settings
from spinechat.embedding import Embedder
from spinechat.feedback import FeedbackStore, default_feedback_path
from spinechat.governance import gaps
from spinechat.governance.accounts import ACCOUNTS_FILE, AccountStore, Role
from spinechat.governance.audit import AuditEntry, AuditStore, ChunkRef, default_audit_path
from spinechat.web.app import create_app
from spinechat.web.evaluate import EvalHandlers
from spinechat.web.gaps_tab import GapsHandlers, report_markdown
from spinechat.web.grading import GradeStore
from spinechat.web.review import ReviewHandlers
from spinechat.web.runs import RunHistory
from spinechat.web.staff import build_staff_blocks
from spinechat.web.staff_access import StaffAccess
from support.cli import Cli, usage_error
from support.servers import serve

PAIRS = Path(__file__).resolve().parent / "data" / "gap_pairs.jsonl"
CITED = (ChunkRef("mri-safety#0", "mri-safety", "3"),)
# Monday 2026-11-02 is in ISO week 45; the next Monday starts week 46.
WEEK_45 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
WEEK_46 = datetime(2026, 11, 10, 10, 0, tzinfo=UTC)
MRI = [
    "can I have an MRI scan with screws in my spine?",
    "can i have a MRI scan with the screws in my spine",
    "Can I have an MRI scan with screws in my back?",
]
DRIVING = [
    "when am I allowed to drive after my spinal fusion?",
    "when am i allowed to drive again after spinal fusion",
]
PASSWORD = "a long staff passphrase"
pytestmark = pytest.mark.filterwarnings("ignore::Warning:gradio.queueing")


# ---- helpers ------------------------------------------------------------------------------------


def _entry(
    question: str,
    *,
    refusal: str = "",
    urgency: str = "none",
    cited: tuple[ChunkRef, ...] = (),
    vetted: str = "",
) -> AuditEntry:
    return AuditEntry(
        conversation_id="c1", answer_id="a1", urgency=urgency, red_flags=(), hedged=False,
        second_opinion="", refusal=refusal, mode="offline", model="", fallback="",
        prompt_version="p1", index_version="i1", retrieved=cited, cited=cited,
        vetted_answer=vetted, latency_ms=12.0, question=question, answer="an answer",
    )  # fmt: skip


def _at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def _record(settings: Settings, when: datetime, entries: list[AuditEntry]) -> None:
    AuditStore(default_audit_path(settings), now=_at(when)).add(
        entries, keep_text=settings.audit_text
    )


def _dislike(settings: Settings, when: datetime, question: str) -> None:
    FeedbackStore(default_feedback_path(settings), now=_at(when)).add(
        rating="dislike", question=question, answer="an answer", sources=[], prompt_version="p1"
    )


def _fill(settings: Settings) -> None:
    """Week 45: two MRI gaps with no source, one off-topic, and answers that are no gaps (cited,
    vetted, a red flag, a personal-decision refusal); week 46: the third MRI wording disliked,
    two driving questions with no source, and a liked answer."""
    _record(
        settings,
        WEEK_45,
        [
            _entry(MRI[0]),
            _entry(MRI[1]),
            _entry("what is a good recipe for lasagne?", refusal="off_topic"),
            _entry("how long does a fusion take to heal?", cited=CITED),
            _entry("can I fly after surgery?", vetted="v-flying v2"),
            _entry("my legs went numb and I cannot pee", urgency="emergency"),
            _entry("should I stop my blood thinners?", refusal="personal_decision"),
        ],
    )
    _dislike(settings, WEEK_46, MRI[2])
    FeedbackStore(default_feedback_path(settings), now=_at(WEEK_46)).add(
        rating="like", question="is swimming ok?", answer="yes", sources=[], prompt_version="p1"
    )
    _record(settings, WEEK_46, [_entry(DRIVING[0]), _entry(DRIVING[1])])


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(audit_text=True)


# ---- which answers are gaps, counted per week ---------------------------------------------------


def test_gaps_are_counted_by_kind_per_iso_week(settings: Settings, embedder: Embedder) -> None:
    _fill(settings)
    report = gaps.report_from_settings(settings, embedder)
    assert report.text_kept
    assert report.total == 6
    assert report.weekly == {
        "2026-W45": {"off_topic": 1, "no_source": 2, "disliked": 0},
        "2026-W46": {"off_topic": 0, "no_source": 2, "disliked": 1},
    }


def test_questions_are_grouped_by_meaning_with_the_typical_one_shown(
    settings: Settings, embedder: Embedder
) -> None:
    _fill(settings)
    report = gaps.report_from_settings(settings, embedder)
    by_size = [(g.size, sorted(g.questions)) for g in report.groups]
    assert by_size[0] == (3, sorted(MRI))
    assert (2, sorted(DRIVING)) in by_size
    assert (1, ["what is a good recipe for lasagne?"]) in by_size
    mri = report.groups[0]
    assert mri.weeks == {"2026-W45": 2, "2026-W46": 1}
    assert mri.kinds == {"no_source": 2, "disliked": 1}
    assert (mri.first_seen, mri.last_seen) == ("2026-11-03", "2026-11-10")
    # The representative is the member whose subject has the highest cosine to the centroid of
    # the subjects' unit vectors, computed here from the vectors, not taken from the module.
    vectors = embedder.embed_documents([gaps.subject_text(question) for question in MRI])
    scores = vectors @ vectors.mean(axis=0)
    best = {MRI[i] for i in range(len(MRI)) if scores[i] >= scores.max() - 1e-6}
    assert mri.representative in best


def test_the_date_filter_keeps_one_week(settings: Settings, embedder: Embedder) -> None:
    _fill(settings)
    since = datetime(2026, 11, 9, tzinfo=UTC)
    report = gaps.report_from_settings(settings, embedder, since=since)
    assert list(report.weekly) == ["2026-W46"]
    assert report.total == 3
    until = datetime(2026, 11, 9, tzinfo=UTC)
    assert gaps.report_from_settings(settings, embedder, until=until).total == 3


def test_purged_texts_are_counted_but_not_grouped(settings: Settings, embedder: Embedder) -> None:
    _fill(settings)
    AuditStore(default_audit_path(settings)).purge_text(WEEK_45 + timedelta(days=1))
    report = gaps.report_from_settings(settings, embedder)
    assert report.total == 6
    assert report.without_text == 3
    assert sum(g.size for g in report.groups) == 3
    assert "3 of them have no text any more" in report_markdown(report)


# ---- with question texts off --------------------------------------------------------------------


def test_with_texts_off_only_counts_by_kind_per_week_are_shown(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(audit_text=False)
    _fill(settings)
    # No embedder at all: nothing may need one when no text is kept.
    report = gaps.report_from_settings(settings, None)
    assert not report.text_kept
    assert report.groups == []
    assert report.weekly["2026-W46"] == {"off_topic": 0, "no_source": 2, "disliked": 1}
    shown = report_markdown(report)
    assert "Question texts are not kept on this server" in shown
    # The feedback store keeps its (redacted) question, but the gap view reads no text then.
    out = io.StringIO()
    gaps.write_report(report, "json", out)
    for question in (*MRI, *DRIVING, "lasagne"):
        assert question not in out.getvalue() and question not in shown
        assert question not in caplog.text


# ---- the threshold and the grouping's quality ---------------------------------------------------


def test_the_threshold_is_the_one_chosen_on_the_dev_pairs(embedder: Embedder) -> None:
    dev = [pair for pair in gaps.load_pairs(PAIRS) if pair.split == "dev"]
    assert gaps.tune_threshold(dev, embedder) == gaps.DISTANCE_THRESHOLD


def test_the_pairs_are_balanced_and_split() -> None:
    pairs = gaps.load_pairs(PAIRS)
    counts = {(s, same): 0 for s in ("dev", "test") for same in (True, False)}
    for pair in pairs:
        counts[(pair.split, pair.same)] += 1
    assert counts == {k: 13 for k in counts}
    assert len({pair.id for pair in pairs}) == len(pairs)


# Floors set from the dev part at the chosen threshold (precision 11/12, recall 11/13): the lower
# ends of their 95% Wilson intervals. Measured once on the test part with subject_text: precision
# 8/11 = 0.73 (0.43-0.90), recall 8/13 = 0.62 (0.36-0.82); with whole questions embedded it was
# 3/9 and 3/13, no better than chance, because MiniLM put a near-miss that shares the anchor's
# words ("back to the gym" / "go running") closer than a paraphrase in family or non-native wording.
DEV_FLOOR_PRECISION = 0.64
DEV_FLOOR_RECALL = 0.57


def test_grouping_on_the_test_pairs_clears_the_dev_floors(embedder: Embedder) -> None:
    test = [pair for pair in gaps.load_pairs(PAIRS) if pair.split == "test"]
    rates = gaps.pair_rates(test, embedder, gaps.DISTANCE_THRESHOLD)
    print({name: rate.as_json() for name, rate in rates.items()})
    precision, recall = rates["precision"], rates["recall"]
    assert precision.n and precision.k / precision.n >= DEV_FLOOR_PRECISION
    assert recall.k / recall.n >= DEV_FLOOR_RECALL


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("When can I drive after my spinal fusion?", "when can drive ?"),
        ("my husband had screws put in his back, can he swim", "put , can swim"),
        ("脊椎手術後多久可以開車？", "脊椎手術後多久可以開車？"),
        ("after my back surgery", "after my back surgery"),
    ],
)
def test_the_subject_of_a_question_leaves_out_what_every_question_shares(
    question: str, subject: str
) -> None:
    assert gaps.subject_text(question) == subject


# ---- the command --------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(cwd=tmp_path, data_dir=tmp_path / "data", knowledge=tmp_path / "knowledge")


def _cli_settings(cli: Cli, *, text: bool) -> Settings:
    return Settings(data_dir=cli.data_dir, knowledge_dir=cli.knowledge, audit_text=text)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--since", "last tuesday"), "is not a date"),
        (("--until", "2026-13-01"), "is not a date"),
        (("--since", "2026-11-10", "--until", "2026-11-01"), "is not before"),
    ],
)
def test_bad_dates_are_one_line_errors(cli: Cli, args: tuple[str, ...], says: str) -> None:
    _fill(_cli_settings(cli, text=False))
    assert says in usage_error(cli.run("gaps", *args))


def test_an_empty_store_is_a_one_line_error(cli: Cli) -> None:
    assert "no answers recorded yet" in usage_error(cli.run("gaps"))


def test_the_command_groups_questions_when_texts_are_kept(cli: Cli) -> None:
    _fill(_cli_settings(cli, text=True))
    result = cli.run("gaps", "--format", "json", env={"SPINECHAT_AUDIT_TEXT": "1"})
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["total"] == 6
    assert report["groups"][0]["size"] == 3
    assert report["groups"][0]["representative"] in MRI
    rows = list(csv.reader(io.StringIO(cli.run("gaps", env={"SPINECHAT_AUDIT_TEXT": "1"}).stdout)))
    assert rows[0] == ["representative", "size", "first_seen", "last_seen", "kinds", "weeks"]
    assert rows[1][1] == "3"


def test_the_command_with_texts_off_prints_weekly_counts(cli: Cli) -> None:
    _fill(_cli_settings(cli, text=False))
    result = cli.run("gaps", "--since", "2026-11-09")
    assert result.returncode == 0, result.stderr
    assert list(csv.reader(io.StringIO(result.stdout))) == [
        ["week", "off_topic", "no_source", "disliked"],
        ["2026-W46", "0", "2", "1"],
    ]
    assert "question texts are not kept" in result.stderr
    assert not any(q in result.stdout + result.stderr for q in (*MRI, *DRIVING))


# ---- the staff tab ------------------------------------------------------------------------------


def test_the_tab_handler_reports_bad_dates_in_one_line(
    settings: Settings, embedder: Embedder
) -> None:
    _fill(settings)
    shown = GapsHandlers(settings, embedder).show("2026-11-31", "")
    assert shown.startswith("**Cannot show the gaps:**") and "\n" not in shown
    assert "6 gaps" in GapsHandlers(settings, embedder).show("", "")


@pytest.fixture(scope="module")
def staff_site(
    tmp_path_factory: pytest.TempPathFactory, make_answerer: Callable[..., Any]
) -> Iterator[tuple[str, Settings]]:
    data = tmp_path_factory.mktemp("gaps-site") / "data"
    answerer = make_answerer(data_dir=data, audit_text=True)
    store = AccountStore(data / ACCOUNTS_FILE)
    for name, role in {"vera": Role.VIEWER, "clara": Role.CLINICIAN, "dora": Role.VIEWER}.items():
        store.add(name, role, PASSWORD)
    settings = answerer.settings.with_overrides(login_rate_per_minute=1000)
    _fill(settings)
    with serve(create_app(settings, answerer=answerer)) as url:
        yield f"{url}/", settings


@pytest.fixture(scope="module")
def staff_clients(staff_site: tuple[str, Settings]) -> Iterator[dict[str, Client]]:
    site, settings = staff_site
    signed_in = {
        name: Client(site + "staff/", auth=(name, PASSWORD), verbose=False)
        for name in ("vera", "clara", "dora")
    }
    AccountStore(settings.data_dir / ACCOUNTS_FILE).disable("dora")
    yield signed_in
    for client in signed_in.values():
        client.close()


@pytest.mark.parametrize("name", ["vera", "clara"])
def test_viewers_and_up_read_the_gaps_tab(staff_clients: dict[str, Client], name: str) -> None:
    shown = staff_clients[name].predict("2026-11-01", "2026-11-30", api_name="/show_gaps")
    assert "6 gaps" in shown
    assert "2026-W46" in shown
    assert "MRI scan with" in shown


def test_a_disabled_account_cannot_read_the_gaps_tab(staff_clients: dict[str, Client]) -> None:
    with pytest.raises(AppError, match="Not allowed"):
        staff_clients["dora"].predict("2026-11-01", "", api_name="/show_gaps")


def test_the_tab_event_is_behind_the_role_check(
    staff_site: tuple[str, Settings], make_answerer: Callable[..., Any], tmp_path: Path
) -> None:
    """As for the other tabs (tests/test_staff_roles.py): the tab's event takes the gr.Request
    first, which is the guard's wrapper."""
    _, settings = staff_site
    access = StaffAccess(AccountStore(tmp_path / ACCOUNTS_FILE), "bootstrap")
    review = ReviewHandlers(RunHistory([]), GradeStore(tmp_path / "g.jsonl"), tmp_path)
    handlers = EvalHandlers(make_answerer(), tmp_path)
    blocks = build_staff_blocks(
        handlers, review, access.guard, max_upload_bytes=65536,
        gaps=GapsHandlers(settings, None),
    )  # fmt: skip
    named = [fn for fn in blocks.fns.values() if fn.api_name == "show_gaps"]
    assert len(named) == 1 and named[0].fn is not None
    first = next(iter(inspect.signature(named[0].fn).parameters.values()))
    assert (first.name, named[0].fn.__annotations__.get("request")) == ("request", gr.Request)
