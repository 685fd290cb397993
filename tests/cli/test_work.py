"""tswt intervention start|session|end, tswt step, tswt review, tswt close through the
real entry point: exact output, one line per refusal, exit 2 and nothing written."""

from __future__ import annotations

from click.testing import CliRunner

from tswt_formulation import open_store
from tswt_formulation.cli import cli
from tswt_formulation.model import case_from_data


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _store(tmp_path, make_case_data) -> str:
    from tswt_formulation.demo import demo_staff
    from tswt_formulation.store.staff import add_staff

    path = str(tmp_path / "s.sqlite")
    data = make_case_data()
    data["referral"]["approval"]["by"] = "t.harper"
    with open_store(path, user="it.admin", create=True) as s:
        s.mark_training()
        add_staff(s, demo_staff(), note="synthetic team")
        s.import_cases([case_from_data(data)], user="it.admin", action="restore")
    return path


def test_a_whole_episode_from_the_command_line(tmp_path, make_case_data):
    s = _store(tmp_path, make_case_data)
    as_worker = ("--store", s, "--user", "c.mensah")
    steps = [
        (
            (
                "intervention",
                "start",
                "TSW-000123",
                "--model",
                "ddp",
                "--for",
                "carer",
                "--for",
                "child",
                "--start",
                "2026-07-06",
                "--planned-end",
                "2026-12-18",
                "--fulfils",
                "models",
            ),
            "TSW-000123: intervention 1 started 2026-07-06: ddp (direct work model), lead worker c.mensah.\n",
        ),
        (
            (
                "intervention",
                "session",
                "TSW-000123",
                "1",
                "--date",
                "2026-07-13",
                "--took-part",
                "carer",
                "--minutes",
                "60",
            ),
            "TSW-000123: session of intervention 1 on 2026-07-13: attended.\n",
        ),
        (
            (
                "intervention",
                "session",
                "TSW-000123",
                "1",
                "--date",
                "2026-07-20",
                "--attendance",
                "cancelled_by_family",
            ),
            "TSW-000123: session of intervention 1 on 2026-07-20: cancelled by the family.\n",
        ),
        (
            (
                "step",
                "TSW-000123",
                "A safety plan",
                "--owner",
                "c.mensah",
                "--due",
                "2026-07-10",
                "--done",
                "2026-07-09",
            ),
            "TSW-000123: first step recorded, done 2026-07-09.\n",
        ),
        (
            (
                "review",
                "TSW-000123",
                "--date",
                "2026-09-30",
                "--stage",
                "2",
                "--wave",
                "3",
                "--goal",
                "1=6",
                "--risks-reviewed",
                "--measures-due",
                "sdq",
            ),
            "TSW-000123: review of 2026-09-30 recorded: stage 2, wave 3.\n",
        ),
        (
            (
                "intervention",
                "end",
                "TSW-000123",
                "1",
                "--date",
                "2026-10-01",
                "--reason",
                "planned",
            ),
            "TSW-000123: intervention 1 ended 2026-10-01 (planned).\n",
        ),
        (
            (
                "close",
                "TSW-000123",
                "--date",
                "2026-10-02",
                "--reason",
                "planned",
                "--summary",
                "Goals met.",
                "--closing-measures",
                "sdq",
            ),
            "TSW-000123: involvement ended 2026-10-02 (planned).\n",
        ),
    ]
    for args, expected in steps:
        r = run(*args, *as_worker)
        assert (r.exit_code, r.output) == (0, expected), r.output
    with open_store(s, user="c.mensah") as store:
        case = store.get("TSW-000123")
    assert [x.attendance for x in case.interventions[0].sessions] == [
        "attended",
        "cancelled_by_family",
    ]
    assert case.reviews[0].goals[0].rating == 6 and case.ending is not None


def test_refusals_are_one_line_each_exit_2_nothing_written(tmp_path, make_case_data):
    s = _store(tmp_path, make_case_data)
    r = run(
        "intervention",
        "start",
        "TSW-000123",
        "--model",
        "ddp",
        "--for",
        "carer",
        "--start",
        "2026-06-01",
        "--store",
        s,
        "--user",
        "c.mensah",
    )
    assert r.exit_code == 2
    assert r.output == (
        "error: TSW-000123: interventions[0].start: 2026-06-01 is before outcome.date (work began) 2026-06-30\n"
        "error: TSW-000123: interventions[0].fulfils: missing: name the part of the recommendation it fulfils (wave, "
        "services, models, preconditions), or say why it was not recommended\n"
    )
    r = run(
        "intervention",
        "start",
        "TSW-000123",
        "--model",
        "ddp",
        "--for",
        "carer",
        "--start",
        "2026-07-06",
        "--fulfils",
        "models",
        "--store",
        s,
        "--user",
        "b.kowalski",
    )
    assert r.exit_code == 2
    assert r.output == (
        "error: TSW-000123: b.kowalski is a therapeutic social worker; recording the work (interventions, "
        "sessions, first steps, reviews, the ending) needs the allocated worker, an intervention's lead "
        "worker or a manager\n"
    )
    r = run(
        "intervention",
        "start",
        "TSW-000123",
        "--model",
        "ddp",
        "--wave",
        "keywork",
        "--for",
        "carer",
        "--start",
        "2026-07-06",
        "--store",
        s,
        "--user",
        "c.mensah",
    )
    assert r.exit_code == 2 and "give exactly one of --service, --model or --wave" in r.output
    with open_store(s, user="c.mensah") as store:
        assert store.get("TSW-000123").interventions == []
