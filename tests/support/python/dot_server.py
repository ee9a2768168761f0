# A second real OAuth 2.0 / OpenID Connect server for sbctl's tests: Django OAuth Toolkit
# (PyPI `django-oauth-toolkit`, pinned in requirements.txt) on 127.0.0.1, a random port,
# configured as its documentation says: OIDC with an RS256 key, PKCE required, rotating
# refresh tokens, RFC 7009 revocation and RFC 7662 introspection. Unlike oidc-provider,
# revoking a refresh token here ends that token and its access token only: every sign-in
# is a grant of its own, which outlives the revocation of another's.
#
# Usage: python dot_server.py DATA_DIR. Prints {"issuer": ..., "revocation_url": ...,
# "introspection_url": ..., "token_url": ...} as its first line on stdout when ready, and
# exits when its stdin closes (the test that started it is gone).
#
# Users: alice and bob, password PASSWORD below (the login page is Django's own LoginView).
# Client: "sbctl", confidential, client_secret_basic, secret "sbctl s3cret+/:&=" (sent
# form-urlencoded, RFC 6749 §2.3.1); redirect http://127.0.0.1/callback on any port
# (RFC 8252 §7.3). Scopes: openid profile read. The ID token's `sub` is the user's
# primary key; `name` and `preferred_username` are added the documented way
# (OAuth2Validator.get_additional_claims). Access tokens live SBCTL_TEST_ACCESS_TTL
# seconds (default 3600).
import json
import os
import socketserver
import sys
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import django
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

SECRET = "sbctl s3cret+/:&="
PASSWORD = "sbctl-test-password"
LOGIN_PAGE = """<!doctype html><title>Sign in</title>
<form method="post">{% csrf_token %}
<label>Username <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<input type="hidden" name="next" value="{{ next }}">
<button type="submit">Sign in</button>
</form>"""

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
pem = key.private_bytes(
    serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption(),
).decode()

settings.configure(
    DEBUG=False,
    SECRET_KEY="sbctl-test-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    USE_TZ=True,
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "oauth2_provider",
    ],
    MIDDLEWARE=[
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.path.join(sys.argv[1], "dot.sqlite3"),
        }
    },
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [
                    ("django.template.loaders.locmem.Loader", {"registration/login.html": LOGIN_PAGE}),
                    "django.template.loaders.app_directories.Loader",
                ],
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                ],
            },
        }
    ],
    LOGIN_URL="/accounts/login/",
    # Fast hashing of the client secret and passwords: a test server, not a deployment.
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    OAUTH2_PROVIDER={
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": pem,
        "PKCE_REQUIRED": True,
        "ROTATE_REFRESH_TOKEN": True,
        "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("SBCTL_TEST_ACCESS_TTL", "3600")),
        "SCOPES": {"openid": "OpenID Connect", "profile": "Your name", "read": "Read your posts"},
        "OAUTH2_VALIDATOR_CLASS": "__main__.Validator",
    },
)
django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.views import LoginView  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.urls import include, path  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402
from oauth2_provider.oauth2_validators import OAuth2Validator  # noqa: E402


class Validator(OAuth2Validator):
    oidc_claim_scope = OAuth2Validator.oidc_claim_scope

    def get_additional_claims(self, request):
        name = request.user.username
        return {"name": f"User {name}", "preferred_username": name}


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", LoginView.as_view()),
]

call_command("migrate", verbosity=0)
for user in ("alice", "bob"):
    User.objects.create_user(user, password=PASSWORD)
Application.objects.create(
    name="sbctl",
    client_id="sbctl",
    client_secret=SECRET,
    client_type=Application.CLIENT_CONFIDENTIAL,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    redirect_uris="http://127.0.0.1/callback",
    algorithm=Application.RS256_ALGORITHM,
)


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


from django.core.wsgi import get_wsgi_application  # noqa: E402

server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=Server, handler_class=Quiet)
base = f"http://127.0.0.1:{server.server_port}/o"
print(
    json.dumps(
        {
            "issuer": base,
            "token_url": f"{base}/token/",
            "revocation_url": f"{base}/revoke_token/",
            "introspection_url": f"{base}/introspect/",
        }
    ),
    flush=True,
)


def watch_stdin():
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=watch_stdin, daemon=True).start()
server.serve_forever()
