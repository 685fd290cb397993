"""Reports: every demo case through every report notebook, hostile text made inert in
HTML and PDF, self-contained output, atomic owner-only writes, isolated failures, the
manifest, parameter checks, provenance, and a Dask cluster as the executor."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import shutil
import stat
import subprocess
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.demo import generate_caseload
from tswt_formulation.errors import ReportError
from tswt_formulation.model import Override, case_from_data
from tswt_formulation.reports.batch import run_reports

from ..conftest import AS_OF, DATA, HERE, skip_or_fail

CONSTANTS = str(HERE.parent / "tswt_formulation" / "measures" / "examples" / "demo_constants.yaml")
FAILING = str(DATA / "notebooks" / "sometimes_fails.ipynb")
HOSTILE = [
    "<script>alert('x')</script>",
    "![tracker](http://evil.example/pixel.png)",
    '<img src=x onerror="alert(1)">',
    "**bold** and <b>html</b> & [link](javascript:alert(1))",
]
H = " | ".join(HOSTILE)


def _hostile_case(make_case_data):
    """The full case with hostile text in every free-text field."""
    data = make_case_data("TSW-000666")
    data["child"]["placement"]["breakdowns"][0]["note"] = H[:200]
    ref = data["referral"]
    ref["referrer"]["name"] = HOSTILE[0]
    ref["approval"]["by"] = HOSTILE[2]
    ref["reasons"] = H
    scr = data["screening"]
    for item in scr["history_factors"] + scr["presenting_behaviours"]:
        item["evidence"] = H
    scr["child_voice"] = H
    scr["carer_views"] = H
    scr["strengths"] = HOSTILE
    data["goals"][0]["description"] = HOSTILE[1]
    data["outcome"]["reasons"] = H
    case = case_from_data(data)
    from tswt_formulation.rules import (
        draft_formulation,
        edit_formulation,
        recommend,
        record_decision,
        sign_off,
        submit,
    )

    t = datetime(2026, 6, 27, 9, tzinfo=UTC)
    form = draft_formulation(case, author="c.mensah", now=t, recommendation=recommend(case))
    form = form.model_copy(
        update={
            "five_ps": form.five_ps.model_copy(
                update={
                    "perpetuating": [
                        form.five_ps.presenting[0].model_copy(
                            update={"text": H, "origin": "worker"}
                        )
                    ]
                }
            )
        }
    )
    form = edit_formulation(
        form, "c.mensah", t, narrative=H, stage_evidence=H, next_stage_readiness=H
    )
    form = record_decision(
        form,
        case.case_id,
        "c.mensah",
        t,
        accept=False,
        overrides=[Override(part="stage", value=2, reason=H)],
    )
    form = sign_off(
        submit(form, case.case_id, screening_completed=case.screening.completed),
        case.case_id,
        "dr.ahmed",
        t,
        approve=True,
        comment=H,
    )
    case.formulation = form
    return case


@pytest.fixture(scope="module")
def pool():
    executor = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn"))
    yield executor
    executor.shutdown(wait=True)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("reports") / "demo.sqlite")
    with open_store(path, create=True, user="demo") as s:
        s.import_cases(generate_caseload(24, seed=3, as_of=AS_OF))
    return path


@pytest.fixture
def hostile_store(tmp_path, make_case_data):
    path = str(tmp_path / "hostile.sqlite")
    with open_store(path, create=True) as s:
        s.import_cases([_hostile_case(make_case_data)])
    return path


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def assert_inert_and_self_contained(html: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(html)
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"script", "iframe", "object", "embed", "link", "base", "form", "a"}, tags
    for tag, attrs in parsed.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for key in ("src", "href", "srcset", "action"):
            value = attrs.get(key)
            assert value is None or value.startswith("data:"), (tag, key, value)
    assert not re.search(
        r"(?i)(url\(\s*['\"]?(https?:|//)|@import|https?://)", html.split("<body>", 1)[0]
    )
    return parsed


@pytest.mark.slow
def test_every_demo_case_through_every_report_notebook(demo_store, tmp_path, pool):
    ids = open_store(demo_store).case_ids()
    for kind in ("formulation", "outcomes"):
        summary = run_reports(
            ids,
            kind,
            demo_store,
            tmp_path,
            executor=pool,
            as_of=AS_OF,
            progress=False,
            extra={"constants": CONSTANTS} if kind == "outcomes" else None,
        )
        assert summary.all_ok, summary.text()
        assert len(list(tmp_path.glob(f"*_{kind}.html"))) == len(ids)
    review = run_reports(
        None,
        "review",
        demo_store,
        tmp_path,
        executor=pool,
        as_of=AS_OF,
        progress=False,
        extra={"constants": CONSTANTS},
    )
    assert review.all_ok, review.text()
    html = (tmp_path / f"caseload_review_{AS_OF.isoformat()}.html").read_text()
    assert_inert_and_self_contained(html)
    # Supervision order: risk first, then who to discuss first, the flags, each worker's children.
    headings = (
        "Children with a risk flag",
        "Who to discuss first",
        "Flags for supervision",
        "Each worker's children",
        "Children not on track",
        "Change across the service",
    )
    assert [html.index(h) for h in headings] == sorted(html.index(h) for h in headings)
    assert "Paired" in html and "Unpaired" in html


def test_hostile_text_is_inert_in_html(hostile_store, tmp_path, pool):
    for kind in ("formulation", "outcomes"):
        summary = run_reports(
            ["TSW-000666"],
            kind,
            hostile_store,
            tmp_path,
            executor=pool,
            as_of="2026-07-10",
            progress=False,
        )
        assert summary.all_ok, summary.text()
        html = (tmp_path / f"TSW-000666_{kind}.html").read_text()
        parsed = assert_inert_and_self_contained(html)
        text = "".join(parsed.text)
        if kind == "formulation":
            for hostile in HOSTILE:
                assert hostile in text, hostile  # shown as the words typed, not interpreted
            assert text.count(HOSTILE[0]) >= 10  # every field carried it
        else:
            assert HOSTILE[1] in text  # the goal's description, as typed
        # Risk first, in every report: the case self-harms weekly.
        assert html.index("Risk: read first") < html.index(
            "<h2>", html.index("Risk: read first") + 1
        )
        assert "Self-harm" in text


@pytest.mark.slow
def test_hostile_text_is_inert_in_pdf(hostile_store, tmp_path, pool):
    from tswt_formulation.reports.export import pdf_available

    ok, why = pdf_available()
    if not ok:
        skip_or_fail(why)
    if shutil.which("pdftotext") is None:
        skip_or_fail("pdftotext (Debian poppler-utils) is needed to read the PDF's text")
    summary = run_reports(
        ["TSW-000666"],
        "formulation",
        hostile_store,
        tmp_path,
        executor=pool,
        formats=("html", "pdf"),
        as_of="2026-07-10",
        progress=False,
    )
    assert summary.all_ok, summary.text()
    pdf = tmp_path / "TSW-000666_formulation.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    for hostile in HOSTILE:
        assert re.sub(r"\s+", "", hostile) in flat, hostile
    assert "OFFICIAL-SENSITIVE" in text and "Page 1 of" in text
    assert b"/URI" not in pdf.read_bytes()  # no live links


def test_header_and_provenance(demo_store, tmp_path, pool):
    case_id = next(
        c.case_id
        for c in open_store(demo_store).cases()
        if c.formulation and c.formulation.status == "signed_off"
    )
    summary = run_reports(
        [case_id], "formulation", demo_store, tmp_path, executor=pool, as_of=AS_OF, progress=False
    )
    html = Path(summary.results[0].files[0]).read_text()
    assert "OFFICIAL-SENSITIVE" in html and case_id in html and AS_OF.isoformat() in html
    assert "Author" in html and "Reviewer" in html and "dr." in html
    assert re.search(r"Recommendation rules: 2026\.\d", html) and re.search(
        r"tswt-formulation: \d+\.\d+", html
    )
    assert "SYNTHETIC DEMO DATA" in html


def test_atomic_owner_only_and_failure_keeps_previous(demo_store, tmp_path, pool):
    ok = run_reports(
        ["TSW-900001"],
        "formulation",
        demo_store,
        tmp_path,
        executor=pool,
        as_of=AS_OF,
        progress=False,
    )
    path = Path(ok.results[0].files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert ok.results[0].sha256 == [before]
    failed = run_reports(
        ["TSW-900001"],
        "formulation",
        demo_store,
        tmp_path,
        executor=pool,
        as_of=AS_OF,
        notebook=FAILING,
        progress=False,
        extra={"fail_on": "*"},
    )
    assert not failed.all_ok
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # the good report is untouched
    assert not [
        p for p in tmp_path.iterdir() if p.name.startswith(".") or p.suffix == ".part"
    ]  # no partial file


def test_one_failing_case_does_not_stop_the_others(demo_store, tmp_path, pool):
    summary = run_reports(
        ["TSW-900001", "TSW-900002", "TSW-900003"],
        "formulation",
        demo_store,
        tmp_path,
        executor=pool,
        as_of=AS_OF,
        notebook=FAILING,
        progress=False,
    )
    assert [(r.case, r.status) for r in summary.results] == [
        ("TSW-900001", "ok"),
        ("TSW-900002", "failed"),
        ("TSW-900003", "ok"),
    ]
    bad = summary.failed[0]
    assert (
        bad.cell.startswith("cell 3 `if fail_on in (case_id")
        and bad.error == "RuntimeError: deliberate failure for TSW-900002"
    )
    assert "TSW-900002 (formulation): cell 3" in summary.text()
    manifest = json.loads((tmp_path / "manifest-formulation.json").read_text())["reports"]
    assert [(m["case"], m["status"]) for m in manifest] == [
        ("TSW-900001", "ok"),
        ("TSW-900002", "failed"),
        ("TSW-900003", "ok"),
    ]
    assert all(len(m["sha256"]) == 64 for m in manifest if m["status"] == "ok")
    assert not (tmp_path / "TSW-900002_formulation.html").exists()
    # the manifest records the batch itself: who, when, which store, rules and definitions, counts
    batch = json.loads((tmp_path / "manifest-formulation.json").read_text())["batch"]
    assert batch["counts"] == {"reports": 3, "ok": 2, "failed": 1}
    assert (batch["kind"], batch["store"], batch["as_of"], batch["by"]) == (
        "formulation",
        demo_store,
        AS_OF.isoformat(),
        "test.worker",
    )
    assert (
        batch["rules"]["version"]
        and batch["measures"]["sdq"]
        and batch["executor"] == type(pool).__name__
    )
    assert datetime.fromisoformat(batch["started"]) <= datetime.fromisoformat(batch["finished"])


def test_cli_exit_code_and_summary(demo_store, tmp_path):
    r = CliRunner().invoke(
        cli,
        [
            "reports",
            "TSW-900001",
            "TSW-900002",
            "--kind",
            "formulation",
            "--store",
            demo_store,
            "--out",
            str(tmp_path),
            "--notebook",
            FAILING,
            "--jobs",
            "1",
            "--as-of",
            AS_OF.isoformat(),
        ],
    )
    assert r.exit_code == 1
    assert "1 of 2 report(s) written" in r.output and "TSW-900002 (formulation): cell 3" in r.output
    r = CliRunner().invoke(cli, ["reports", "--kind", "formulation", "--store", demo_store])
    assert r.exit_code == 2 and "name the cases, or give one of --all" in r.stderr


def test_parameters_are_checked_before_starting(tmp_path, demo_store):
    with pytest.raises(
        ReportError,
        match=r"screening_walkthrough\.ipynb: the parameters cell lacks as_of \(it has store, user\)$",
    ):
        run_reports(
            ["TSW-900001"],
            "review",
            demo_store,
            tmp_path,
            notebook=str(HERE.parent / "notebooks" / "formulation_report.ipynb").replace(
                "formulation_report", "screening_walkthrough"
            ),
            progress=False,
        )
    with pytest.raises(ReportError, match=r"unknown report kind 'letters'"):
        run_reports(["TSW-900001"], "letters", demo_store, tmp_path, progress=False)


def test_parameters_are_read_as_papermill_reads_them(tmp_path):
    import nbformat
    import papermill as pm

    from tswt_formulation.reports.resources import _parameter_names, check_parameters

    for path in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
        assert _parameter_names(str(path)) == set(pm.inspect_notebook(str(path))), path.name
    # A parameters cell that is not plain Python (a magic): papermill reads it.
    cell = nbformat.v4.new_code_cell("%matplotlib inline\ncase_id = None\nstore = None")
    cell.metadata["tags"] = ["parameters"]
    magic = tmp_path / "magic.ipynb"
    nbformat.write(
        nbformat.v4.new_notebook(
            cells=[cell],
            metadata={
                "kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}
            },
        ),
        str(magic),
    )
    assert _parameter_names(str(magic)) is None
    with pytest.raises(
        ReportError,
        match=r"magic\.ipynb: the parameters cell lacks as_of \(it has case_id, store\)$",
    ):
        check_parameters(str(magic), {"case_id", "store", "as_of"})


def test_forked_workers_take_the_batch_environment_and_folder(tmp_path, monkeypatch):
    """Workers fork from a server started earlier (and loaded once): they must still see
    the environment and folder the batch has when it runs, as spawned workers did."""
    from tswt_formulation.reports import _worker_preload
    from tswt_formulation.reports.batch import default_executor, start_workers_early

    _worker_preload._load()  # its errors are swallowed in the server (a worker then loads itself): none here
    _worker_preload._load_charts()
    start_workers_early()
    monkeypatch.setenv("TSWT_TEST_BATCH_ENV", "set after the server started")
    monkeypatch.chdir(tmp_path)
    pool = default_executor(1)
    try:
        assert (
            pool.submit(os.getenv, "TSWT_TEST_BATCH_ENV").result(timeout=120)
            == "set after the server started"
        )
        assert pool.submit(os.getcwd).result(timeout=120) == str(tmp_path)
    finally:
        pool.shutdown()


@pytest.mark.slow
def test_tswt_reports_on_a_dask_scheduler(demo_store, tmp_path):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "out"
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        r = CliRunner().invoke(
            cli,
            [
                "reports",
                "TSW-900001",
                "TSW-900003",
                "--kind",
                "formulation",
                "--store",
                demo_store,
                "--out",
                str(out),
                "--as-of",
                AS_OF.isoformat(),
                "--dask-scheduler",
                cluster.scheduler_address,
            ],
        )
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.glob("*.html")) == [
        "TSW-900001_formulation.html",
        "TSW-900003_formulation.html",
    ]
    assert (
        json.loads((out / "manifest-formulation.json").read_text())["batch"]["executor"]
        == "ClientExecutor"
    )


@pytest.mark.slow
def test_tswt_reports_says_when_the_dask_scheduler_cannot_be_reached(demo_store, tmp_path):
    pytest.importorskip("distributed")
    r = CliRunner().invoke(
        cli,
        [
            "reports",
            "TSW-900001",
            "--kind",
            "formulation",
            "--store",
            demo_store,
            "--out",
            str(tmp_path),
            "--dask-scheduler",
            "tcp://127.0.0.1:9",
        ],
    )
    assert (
        r.exit_code == 2
        and "--dask-scheduler tcp://127.0.0.1:9: cannot reach the scheduler" in r.output
    )


@pytest.mark.slow
def test_dask_cluster_as_executor(demo_store, tmp_path):
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = run_reports(
            ["TSW-900001", "TSW-900003"],
            "formulation",
            demo_store,
            tmp_path,
            executor=client.get_executor(),
            as_of=AS_OF,
            progress=False,
        )
    assert summary.all_ok, summary.text()
    assert sorted(p.name for p in tmp_path.glob("*.html")) == [
        "TSW-900001_formulation.html",
        "TSW-900003_formulation.html",
    ]


def test_screening_walkthrough_runs_twice_on_the_same_store(pool, tmp_path):
    from tswt_formulation.reports.execute import execute

    store = str(tmp_path / "walk.sqlite")
    for _run in range(2):  # a user re-running it on their store gets the same answers, not an error
        nb = execute(
            str(HERE.parent / "notebooks" / "screening_walkthrough.ipynb"),
            {"store": store},
            reuse_kernel=False,
        )
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error"]
        assert any("Wave" in "".join(o.get("text", "")) for o in outputs)
    with open_store(store) as s:
        assert s.get("TSW-999001").formulation.status == "awaiting_signoff"
        assert [e.note for e in s.audit_log("TSW-999001")].count(
            "formulation drafted from the screening"
        ) == 1


def test_notebooks_are_committed_without_outputs():
    import nbformat

    for path in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not cell.outputs and cell.execution_count is None, path.name
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), path.name
