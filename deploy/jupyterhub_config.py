"""JupyterHub in front of the TSWT workbench: the team server (docs/team-server.md).

    jupyterhub -f deploy/jupyterhub_config.py

Everything site-specific comes from the hub's environment, set by whoever runs the hub
(a systemd unit, say) and readable by that account only:

  TSWT_HUB_APP_STORE     store URL of the application's writer role (tswt_app): the
                         workbench servers write with it; no person holds it
  TSWT_HUB_READER_STORE  store URL of the read-only role (tswt_analyst): psychologists'
                         JupyterLab servers read with it
  TSWT_HUB_STATE_DIR     where the hub keeps its own database, cookie secret and the
                         servers' working folders (default: /var/lib/tswt-hub)
  TSWT_HUB_IP, TSWT_HUB_PORT        the public address (default 127.0.0.1:8000; put TLS
                                    in front, or set ssl_key/ssl_cert below)
  TSWT_HUB_API_PORT, TSWT_HUB_PROXY_API_PORT   the hub's and the proxy's internal API
                                    ports on 127.0.0.1 (default 8081, 8001)
  TSWT_HUB_AUTH          "azuread" (production: the council's Azure AD through
                         oauthenticator) or "test-password" (tests and a trial on one
                         machine only: any login, one shared password)
  TSWT_AS_OF             passed to the workbench (the date its caseload is shown as of)

Who gets what is in tswt_formulation/hub.py: everyone's default server is the workbench
(forms only: Voila serving one notebook, no code from the browser); a server named
"analysis" is JupyterLab with the read-only role, for clinical psychologists only.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - JupyterHub's config loader provides it

state = Path(os.environ.get("TSWT_HUB_STATE_DIR", "/var/lib/tswt-hub"))
state.mkdir(parents=True, exist_ok=True, mode=0o700)

# -- Where it listens, and its own state ------------------------------------------------
hub_ip = os.environ.get("TSWT_HUB_IP", "127.0.0.1")
c.JupyterHub.bind_url = f"http://{hub_ip}:{os.environ.get('TSWT_HUB_PORT', '8000')}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("TSWT_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# -- The proxy: configurable-http-proxy's Python implementation (PyPI), not the npm one --
c.JupyterHub.proxy_class = "configurable-http-proxy"
c.ConfigurableHTTPProxy.command = [sys.executable, "-c", "from configurable_http_proxy.cli import main; main()"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('TSWT_HUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.ConfigurableHTTPProxy.should_start = True

# -- Who logs in ------------------------------------------------------------------------
auth = os.environ.get("TSWT_HUB_AUTH", "azuread")
if auth == "azuread":
    # Production: the council's Azure AD (Entra ID). Register the hub as an application
    # in the tenant, with redirect URL https://HUB/hub/oauth_callback. The login is the
    # part of the person's user principal name before the "@", lower-cased, and must be
    # their login in the staff directory (tswt staff add). Needs: pip install oauthenticator
    # The test suite checks only that the hub starts with this and offers the Azure AD
    # sign-in (it has no Azure AD to log in to); see docs/team-server.md.
    c.JupyterHub.authenticator_class = "azuread"
    c.AzureAdOAuthenticator.tenant_id = os.environ.get("AAD_TENANT_ID", "")
    c.AzureAdOAuthenticator.client_id = os.environ.get("AAD_CLIENT_ID", "")
    c.AzureAdOAuthenticator.client_secret = os.environ.get("AAD_CLIENT_SECRET", "")
    c.AzureAdOAuthenticator.oauth_callback_url = os.environ.get("AAD_CALLBACK_URL", "")
    # The login: the user principal name up to the "@" (c.mensah@council.example -> c.mensah).
    c.AzureAdOAuthenticator.username_claim = lambda user_info: str(user_info["upn"]).split("@", 1)[0].lower()
    # Only the team's Azure AD group may log in at all (its id or name, from the token's groups).
    c.AzureAdOAuthenticator.manage_groups = True
    c.AzureAdOAuthenticator.allowed_groups = set(filter(None, os.environ.get("AAD_ALLOWED_GROUPS", "").split(",")))
elif auth == "test-password":
    # Tests and a trial on one machine only: JupyterHub's SharedPasswordAuthenticator, one
    # password for every login (at least 8 characters). Anyone may log in under any login;
    # the workbench then shows them only what the staff directory gives that login (a
    # login not in it sees no case).
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ["TSWT_HUB_TEST_PASSWORD"]
    c.Authenticator.allow_all = True
else:
    raise SystemExit(f"TSWT_HUB_AUTH must be 'azuread' or 'test-password', not {auth!r}")

# -- What each person gets ----------------------------------------------------------------
c.JupyterHub.spawner_class = "tswt_formulation.hub.TswtSpawner"
c.JupyterHub.allow_named_servers = True  # "analysis": JupyterLab, psychologists only
c.JupyterHub.named_server_limit_per_user = 1
c.TswtSpawner.home_dir_template = str(state / "home" / "{username}")
c.TswtSpawner.start_timeout = 120
c.TswtSpawner.http_timeout = 120
if os.environ.get("TSWT_AS_OF"):
    c.TswtSpawner.extra_env = {"TSWT_AS_OF": os.environ["TSWT_AS_OF"]}
