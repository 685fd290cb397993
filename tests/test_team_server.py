"""The team server, end to end: a real JupyterHub (deploy/jupyterhub_config.py, with the
Python configurable-http-proxy from PyPI) in front of the workbench, on a real PostgreSQL
(pgserver) set up with the roles and grants of docs/team-server.md, all on 127.0.0.1.
Chromium (Playwright) logs in through the hub's login page as people of a synthetic team.

What it shows (docs/team-server.md, "What the test shows"):
- c.mensah's workbench shows her caseload, and only hers; she cannot sign off;
- her browser cannot run code: an execute_request sent over the workbench kernel's
  websocket is dropped (a marker file it would write never appears), while the same probe
  on a psychologist's JupyterLab server does run (so the probe itself works);
- dr.r.ahmed signs off a colleague's formulation and is refused his own;
- a login that is not in the staff directory sees no case;
- the audit log names each person as the hub identified them;
- the analysis server (JupyterLab) is for psychologists only, and reads through the
  read-only role: it can read the cases and cannot change them.

Needs pgserver (or TSWT_TEST_PG_URL), jupyterhub and configurable-http-proxy (the test
extra), voila, playwright and /usr/bin/chromium: off CI a missing one skips with the
reason; under CI=true it fails instead (.ci/run installs chromium).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tswt_formulation import open_store

from .conftest import AS_OF, drop_team_database, pg_database_url, skip_or_fail
from .store.test_roles import NAMES, PASSWORDS, _doc_sql

pytestmark = [pytest.mark.slow, pytest.mark.needs_system]

ROOT = Path(__file__).resolve().parent.parent
HUB_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "synthetic-team-password"  # the test's shared password (SharedPasswordAuthenticator)
WORKER, PSYCHOLOGIST, STRANGER = "c.mensah", "dr.r.ahmed", "mallory"
OWN_CASE = "TSW-000901"  # a formulation dr.r.ahmed wrote and submitted himself
TIMEOUT = 60_000
ROLE_PASSWORDS = {**PASSWORDS, "tswt_app": "change-me-app", "tswt_analyst": "change-me-analyst"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """The environment without any tswt setting of the developer's or of the suite's."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("TSWT_", "JUPYTERHUB_"))}


def tswt(*args: str, user: str | None = None) -> str:
    """The tswt command, as an administrator runs it on the server."""
    env = _clean_env()
    if user:
        env["TSWT_USER"] = user
    r = subprocess.run(
        [sys.executable, "-m", "tswt_formulation", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def _requirements() -> None:
    for module, why in (
        ("jupyterhub", "jupyterhub"),
        ("configurable_http_proxy", "configurable-http-proxy (the Python proxy)"),
        ("voila", "voila"),
        ("playwright", "playwright"),
    ):
        try:
            __import__(module)
        except ImportError:
            skip_or_fail(f"the team-server test needs {why} (pip install -e '.[test]')")
    if not Path(CHROMIUM).exists():
        skip_or_fail(
            f"the team-server test needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )


@pytest.fixture(scope="module")
def team_store(pg_admin: Any) -> Iterator[dict[str, Any]]:
    """A live store as a team sets one up: a database with docs/team-server.md's roles and
    grants (names given a suffix), the store made by `tswt init` as the owner, the synthetic
    team's staff directory (first its administrator, it.admin, whose database role is the
    owner's), then `tswt demo` run by that administrator (40 synthetic cases, restored with
    their workflow state), and one formulation that dr.r.ahmed wrote and submitted himself."""
    _requirements()
    suffix = uuid.uuid4().hex[:8]
    name = {n: f"{n}_{suffix}" for n in NAMES}

    def rename(sql: str) -> str:
        return re.sub(r"\b(" + "|".join(NAMES) + r")\b", lambda m: name[m.group(1)], sql)

    first, second, third = _doc_sql().values()
    db = name["tswt"]
    url = {
        n: pg_database_url(pg_admin, db, user=name[n], password=ROLE_PASSWORDS[n])
        for n in ("tswt_owner", "tswt_app", "tswt_analyst")
    }
    try:
        with pg_admin.connect() as conn:
            for statement in first:
                conn.exec_driver_sql(rename(statement))
        admin_db = sa.create_engine(
            pg_database_url(pg_admin, db), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        with admin_db.connect() as conn:
            for statement in second:
                conn.exec_driver_sql(rename(statement))
        admin_db.dispose()
        tswt("init", "--store", url["tswt_owner"])
        owner = sa.create_engine(url["tswt_owner"], poolclass=sa.pool.NullPool)
        with owner.begin() as conn:
            for statement in third:
                conn.exec_driver_sql(rename(statement))
        owner.dispose()
        _staff_directory(url["tswt_owner"], name["tswt_owner"])
        tswt(
            "demo",
            "--store",
            url["tswt_owner"],
            "--cases",
            "40",
            "--seed",
            "1",
            "--as-of",
            AS_OF.isoformat(),
        )
        _add_own_formulation(url["tswt_owner"])
        yield {
            "owner": url["tswt_owner"],
            "app": url["tswt_app"],
            "analyst": url["tswt_analyst"],
            "name": name,
        }
    finally:
        drop_team_database(pg_admin, db, name)


def _staff_directory(owner_url: str, owner_role: str) -> None:
    """The synthetic team in the staff directory, its administrator first: it.admin, whom
    the database knows as the owner's role (so the owner's commands act as it.admin)."""
    from tswt_formulation import casework
    from tswt_formulation.demo import DEMO_ADMIN, demo_staff

    login, name, role = DEMO_ADMIN
    # As docs/team-server.md says: the first entry, named with --user (an empty directory).
    tswt(
        "staff",
        "add",
        login,
        "--name",
        name,
        "--role",
        role,
        "--db-role",
        owner_role,
        "--user",
        login,
        "--store",
        owner_url,
    )
    team = [m for m in demo_staff() if m.login != login]
    with open_store(owner_url, user=login) as store:  # the owner's session is it.admin now
        assert store.identity.how == f"PostgreSQL session user {owner_role}"
        casework.change_staff(store, team, note="the synthetic team")
    assert {WORKER, PSYCHOLOGIST} <= {m.login for m in team} and STRANGER not in {
        m.login for m in team
    }


def _add_own_formulation(owner_url: str) -> None:
    """A copy of the demo's formulation awaiting sign-off, as written and submitted by
    dr.r.ahmed (restored by the administrator from a synthetic backup)."""
    from tswt_formulation.model import case_from_data

    with open_store(owner_url, user="it.admin") as store:
        waiting = [
            r
            for r in store.export()
            if (r.get("formulation") or {}).get("status") == "awaiting_signoff"
        ]
        assert waiting, "the demo has no formulation awaiting sign-off"
        record = dict(waiting[0], case_id=OWN_CASE)
        record["formulation"] = dict(
            record["formulation"], author=PSYCHOLOGIST, submitted_by=PSYCHOLOGIST
        )
        store.import_cases(
            [case_from_data(record)],
            note="synthetic backup for the team-server test",
            action="restore",
        )


def start_hub(state: Path, settings: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """JupyterHub as deploy/jupyterhub_config.py sets it up, on random ports of 127.0.0.1,
    with ``settings`` (the TSWT_HUB_* environment); returns the process and its URL once
    it says it is running."""
    port = int(settings.get("TSWT_HUB_PORT") or _free_port())
    env = {
        **_clean_env(),
        "TSWT_HUB_STATE_DIR": str(state),
        "TSWT_HUB_IP": "127.0.0.1",
        "TSWT_HUB_PORT": str(port),
        "TSWT_HUB_API_PORT": str(_free_port()),
        "TSWT_HUB_PROXY_API_PORT": str(_free_port()),
        **settings,
    }
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    log = state / "jupyterhub.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)],
            cwd=state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    end = time.monotonic() + 90
    while "JupyterHub is now running" not in log.read_text():
        if process.poll() is not None or time.monotonic() > end:
            stop_hub(process)
            pytest.fail("JupyterHub did not start:\n" + log.read_text()[-4000:])
        time.sleep(0.2)
    return process, f"http://127.0.0.1:{port}"


def stop_hub(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)  # the hub stops every server it started, and the proxy
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="module")
def hub(
    team_store: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The team's hub, with the test's password login, on the team store."""
    state = tmp_path_factory.mktemp("hub")
    process, base = start_hub(
        state,
        {
            "TSWT_HUB_AUTH": "test-password",
            "TSWT_HUB_TEST_PASSWORD": PASSWORD,
            "TSWT_HUB_APP_STORE": team_store["app"],
            "TSWT_HUB_READER_STORE": team_store["analyst"],
            "TSWT_AS_OF": AS_OF.isoformat(),
        },
    )
    try:
        yield {"url": base, "state": state, "log": state / "jupyterhub.log", **team_store}
    finally:
        stop_hub(process)


@pytest.fixture(scope="module")
def browser(hub: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """save(page, name): a screenshot under the test's folder, copied to $TSWT_SCREENSHOTS if set."""
    folder = tmp_path_factory.mktemp("screenshots")

    def save(page: Any, name: str) -> Path:
        path = folder / f"team_server_{name}.png"
        page.screenshot(path=str(path))  # the viewport: Voila's page scrolls inside itself
        if os.environ.get("TSWT_SCREENSHOTS"):
            target = Path(os.environ["TSWT_SCREENSHOTS"])
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.name)
        return path

    return save


def log_in(
    browser: Any, hub: dict[str, Any], login: str, password: str = PASSWORD
) -> tuple[Any, Any]:
    """Through the hub's login page, as a person would; returns (context, page)."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    context.offsite = []  # requests for anything not on this machine (there should be none)
    context.on(
        "request",
        lambda r: (
            None
            if r.url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:", "data:", "blob:"))
            else context.offsite.append(r.url)
        ),
    )
    page.goto(hub["url"] + "/hub/login")
    page.get_by_label("Username").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return context, page


def open_workbench(browser: Any, hub: dict[str, Any], login: str) -> tuple[Any, Any]:
    context, page = log_in(browser, hub, login)
    page.get_by_text("Signed in as").wait_for(
        timeout=2 * TIMEOUT
    )  # the hub starts the server, Voila the kernel
    assert page.url == f"{hub['url']}/user/{login}/"
    return context, page


def case_buttons(page: Any) -> list[str]:
    return page.get_by_role("button", name=re.compile(r"^TSW-\d{6}$")).all_inner_texts()


def probe_execute(page: Any, base: str, kernel_id: str, code: str) -> list[list[str]]:
    """Over the kernel's websocket, from the person's browser: an execute_request of
    ``code``, then a kernel_info_request. Returns [parent msg_id, msg_type] of every reply
    seen (the kernel_info_reply shows the channel works)."""
    return page.evaluate(
        """async ([base, kernelId, code]) => {
            const url = 'ws://' + location.host + base + 'api/kernels/' + kernelId + '/channels?session_id=probe';
            const ws = new WebSocket(url);
            const got = [];
            await new Promise((ok, bad) => { ws.onopen = ok; ws.onerror = () => bad(new Error('websocket refused')); });
            ws.onmessage = (e) => { if (typeof e.data === 'string') got.push(JSON.parse(e.data)); };
            const msg = (type, content, id) => JSON.stringify({
                header: {msg_id: id, msg_type: type, username: 'probe', session: 'probe', date: new Date().toISOString(), version: '5.3'},
                parent_header: {}, metadata: {}, content, channel: 'shell', buffers: []});
            ws.send(msg('execute_request', {code, silent: false,
                        store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: true}, 'probe-execute'));
            ws.send(msg('kernel_info_request', {}, 'probe-info'));
            const seen = (id, type) => got.some(m => m.parent_header && m.parent_header.msg_id === id && m.msg_type === type);
            const end = Date.now() + 30000;
            while (Date.now() < end && !seen('probe-info', 'kernel_info_reply')) await new Promise(r => setTimeout(r, 100));
            await new Promise(r => setTimeout(r, 2000));  // time for an execute_reply, had the kernel been asked
            ws.close();
            return got.filter(m => m.parent_header && String(m.parent_header.msg_id).startsWith('probe-'))
                      .map(m => m.msg_type === 'error' ? [m.parent_header.msg_id, m.msg_type, m.content.ename + ': ' + m.content.evalue]
                                                        : [m.parent_header.msg_id, m.msg_type]);
        }""",
        [base, kernel_id, code],
    )


def test_social_worker_sees_her_caseload_and_cannot_run_code(browser, hub, shots, tmp_path):
    with open_store(hub["owner"], user="it.admin") as store:
        hers = sorted(store.caseload(AS_OF, worker=WORKER)["case_id"])
    assert hers, "the demo gave c.mensah no case"
    context, page = open_workbench(browser, hub, WORKER)
    page.get_by_text("Signed in as C. Mensah, therapeutic social worker (c.mensah)").wait_for()
    page.get_by_text(f"{len(hers)} case{'s' if len(hers) != 1 else ''};", exact=False).wait_for()
    assert sorted(case_buttons(page)) == hers
    shots(page, "1_c.mensah_caseload")

    # No code from her browser: the workbench kernel's websocket drops an execute_request.
    config = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)")
    marker = tmp_path / "executed-by-c.mensah"
    replies = probe_execute(
        page, f"/user/{WORKER}/", config["kernelId"], f"open({str(marker)!r}, 'w').write('ran')"
    )
    assert ["probe-info", "kernel_info_reply"] in replies
    assert not [r for r in replies if r[0] == "probe-execute"], replies
    assert not marker.exists()

    # Opening one of her cases is logged as her, identified by JupyterHub.
    page.get_by_role("button", name=hers[0], exact=True).click()
    page.get_by_text(f"Open case: {hers[0]}").wait_for()
    shots(page, "1b_c.mensah_opened_her_case")
    with open_store(hub["owner"], user="it.admin") as store:
        opened = store.access_log(hers[0])[-1]
    assert (opened["user"], opened["identified_by"], opened["what"]) == (
        WORKER,
        "JupyterHub login",
        "workbench",
    )
    assert context.offsite == []  # the hub's pages and the workbench fetch nothing from elsewhere
    context.close()


def test_social_worker_cannot_sign_off_nor_start_an_analysis_server(browser, hub, shots):
    with open_store(hub["owner"], user="it.admin") as store:
        waiting = [
            r["case_id"]
            for r in store.export()
            if (r.get("formulation") or {}).get("status") == "awaiting_signoff"
        ]
        audit_before = len(store.audit_log())
    context, page = open_workbench(browser, hub, WORKER)
    # Nor an analysis (JupyterLab) server.
    page.goto(f"{hub['url']}/hub/spawn/{WORKER}/analysis")
    page.get_by_text("may not start an analysis server", exact=False).wait_for()
    shots(page, "3_c.mensah_no_analysis_server")
    # She cannot sign off a colleague's formulation.
    page.goto(f"{hub['url']}/user/{WORKER}/")
    page.get_by_role("tab", name="Sign-off queue").click()
    colleague = next(c for c in waiting if c != OWN_CASE)
    page.get_by_role("button", name=re.compile(rf"^{colleague}: submitted")).click()
    page.get_by_role("button", name="Approve and sign off").click()
    # said in the alert at the top and again beside the button pressed
    refusal = page.get_by_role("alert").filter(
        has_text="signing off or returning a formulation needs a clinical psychologist"
    )
    refusal.wait_for()
    refusal.scroll_into_view_if_needed()
    shots(page, "2_c.mensah_cannot_sign_off")
    with open_store(hub["owner"], user="it.admin") as store:
        assert store.get(colleague).formulation.status == "awaiting_signoff"
        assert len(store.audit_log()) == audit_before

    context.close()


def test_psychologist_signs_off_a_colleagues_formulation_only(browser, hub, shots):
    with open_store(hub["owner"], user="it.admin") as store:
        colleague = next(
            r["case_id"]
            for r in store.export()
            if (r.get("formulation") or {}).get("status") == "awaiting_signoff"
            and r["case_id"] != OWN_CASE
        )
        author = store.get(colleague).formulation.author
    context, page = open_workbench(browser, hub, PSYCHOLOGIST)
    page.get_by_text("Signed in as Dr R. Ahmed, clinical psychologist (dr.r.ahmed)").wait_for()
    # Each server is its owner's only: his login does not open c.mensah's workbench.
    other = page.context.new_page()
    response = other.goto(f"{hub['url']}/user/{WORKER}/")
    assert response is not None and response.status == 403, (
        response and response.status,
        other.url,
    )
    assert other.get_by_text("Signed in as").count() == 0
    shots(other, "4_dr.r.ahmed_not_into_c.mensah_workbench")
    other.close()
    page.get_by_role("tab", name="Sign-off queue").click()

    page.get_by_role("button", name=re.compile(rf"^{OWN_CASE}: submitted")).click()
    page.get_by_role("button", name="Approve and sign off").click()
    refusal = page.get_by_role("alert").filter(
        has_text=f"{PSYCHOLOGIST} wrote, decided on or submitted this formulation and cannot sign it off"
    )
    refusal.wait_for()
    refusal.scroll_into_view_if_needed()
    shots(page, "5_dr.r.ahmed_refused_his_own")

    page.get_by_role("button", name=re.compile(rf"^{colleague}: submitted")).click()
    page.get_by_role("button", name="Approve and sign off").click()
    saved = page.get_by_text(
        f"as {PSYCHOLOGIST}: signed off", exact=False
    ).first  # at the top and beside the button
    saved.wait_for()
    saved.scroll_into_view_if_needed()
    shots(page, "6_dr.r.ahmed_signed_off_colleague")
    with open_store(hub["owner"], user="it.admin") as store:
        assert store.get(colleague).formulation.status == "signed_off"
        assert store.get(colleague).formulation.author == author != PSYCHOLOGIST
        assert store.get(OWN_CASE).formulation.status == "awaiting_signoff"
        entry = store.audit_log(colleague)[-1]
        assert (entry.user, entry.identified_by, entry.note) == (
            PSYCHOLOGIST,
            "JupyterHub login",
            "signed off",
        )
    context.close()


def test_a_login_not_in_the_staff_directory_sees_no_case(browser, hub, shots):
    context, page = open_workbench(browser, hub, STRANGER)
    page.get_by_text("Signed in as mallory", exact=False).wait_for()
    page.get_by_text("Ask the team's administrator to add you", exact=False).wait_for()
    assert case_buttons(page) == []
    assert page.get_by_role("tab").count() == 0
    shots(page, "7_mallory_sees_no_case")
    context.close()


def test_the_analysis_server_reads_through_the_read_only_role(browser, hub, shots, tmp_path):
    context, page = log_in(browser, hub, PSYCHOLOGIST)
    page.get_by_text("Signed in as").wait_for(timeout=2 * TIMEOUT)
    page.goto(f"{hub['url']}/hub/spawn/{PSYCHOLOGIST}/analysis")
    page.wait_for_url(
        re.compile(rf"/user/{re.escape(PSYCHOLOGIST)}/analysis/lab"), timeout=2 * TIMEOUT
    )
    page.locator(".jp-LauncherCard").first.wait_for(timeout=2 * TIMEOUT)
    shots(page, "8_dr.r.ahmed_analysis_jupyterlab")
    # In JupyterLab code runs (the same probe as on the workbench does write its marker),
    # and what it reads with is the read-only role.
    config = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent)")
    base = f"/user/{PSYCHOLOGIST}/analysis/"
    kernel = page.evaluate(
        """async ([base, token]) => {
            const r = await fetch(base + 'api/kernels', {method: 'POST', headers: {Authorization: 'token ' + token,
                                  'Content-Type': 'application/json'}, body: JSON.stringify({name: 'python3'})});
            return (await r.json()).id;
        }""",
        [base, config["token"]],
    )
    marker = tmp_path / "executed-in-jupyterlab"
    replies = probe_execute(
        page, base, kernel, READ_ONLY_PROBE.replace("MARKER", repr(str(marker)))
    )
    assert ["probe-execute", "execute_reply"] in replies
    assert not [r for r in replies if r[1] == "error"], replies
    deadline = time.monotonic() + 20
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    seen = dict(line.split(": ", 1) for line in marker.read_text().splitlines())
    with open_store(hub["owner"], user="it.admin") as store:
        assert seen["read"] == str(len(store))
    assert seen["change"].startswith("refused: permission denied for table cases"), seen
    assert seen["role"] == hub["name"]["tswt_analyst"]
    assert seen["JUPYTERHUB_USER"] == PSYCHOLOGIST
    assert seen["app credentials"] == "none"
    assert context.offsite == []  # JupyterLab behind the hub fetches nothing from elsewhere either
    context.close()


# Run in the psychologist's JupyterLab kernel: what the store URL it was given may do.
READ_ONLY_PROBE = r"""
import os, sqlalchemy as sa
url = sa.make_url(os.environ["TSWT_STORE"])
engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
out = {}
with engine.connect() as conn:
    out["read"] = str(conn.exec_driver_sql("SELECT count(*) FROM cases").scalar())
try:
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE cases SET version = version")
    out["change"] = "changed"
except sa.exc.DBAPIError as exc:
    out["change"] = "refused: " + str(exc.orig).splitlines()[0]
out["role"] = url.username
out["JUPYTERHUB_USER"] = os.environ.get("JUPYTERHUB_USER", "")
out["app credentials"] = ", ".join(k for k, v in os.environ.items() if "tswt_app" in v) or "none"
open(MARKER, "w").write("\n".join(f"{k}: {v}" for k, v in out.items()))
"""


def test_the_production_login_is_azure_ad(tmp_path):
    """With TSWT_HUB_AUTH=azuread (the default) the hub starts, offers the council's Azure
    AD sign-in and sends the browser to the tenant's authorize page for the hub's
    application. (There is no Azure AD here to log in to: the redirect is read, not
    followed.)"""
    import urllib.error
    import urllib.request

    for module in ("jupyterhub", "configurable_http_proxy", "oauthenticator"):
        try:
            __import__(module)
        except ImportError:
            skip_or_fail(f"the team-server test needs {module} (pip install -e '.[test]')")
    tenant, port = "00000000-0000-4000-8000-000000000001", _free_port()
    callback = f"http://127.0.0.1:{port}/hub/oauth_callback"
    process, base = start_hub(
        tmp_path,
        {
            "TSWT_HUB_PORT": str(port),
            "AAD_TENANT_ID": tenant,
            "AAD_CLIENT_ID": "tswt-hub-test",
            "AAD_CLIENT_SECRET": "synthetic-not-a-secret",
            "AAD_CALLBACK_URL": callback,
            "AAD_ALLOWED_GROUPS": "tswt-team",
        },
    )
    try:
        with urllib.request.urlopen(f"{base}/hub/login", timeout=30) as response:
            page = response.read().decode()
        assert "Sign in with Azure AD" in page and 'name="password"' not in page

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        with pytest.raises(urllib.error.HTTPError) as redirect:
            urllib.request.build_opener(NoRedirect).open(f"{base}/hub/oauth_login", timeout=30)
        location, code = redirect.value.headers["Location"], redirect.value.code
        redirect.value.close()  # the response it wraps holds the connection
        assert code == 302
        assert location.startswith(f"https://login.microsoftonline.com/{tenant}/oauth2/")
        assert (
            "client_id=tswt-hub-test" in location
            and "redirect_uri=" + urllib.parse.quote(callback, safe="") in location
        )
    finally:
        stop_hub(process)
