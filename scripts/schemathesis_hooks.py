"""schemathesis hooks for scripts/api-conformance.sh.

A new account's password must also be hard to guess (zxcvbn score 2 or more), a rule a JSON schema
cannot state. A generated password that the schema accepts is therefore replaced by a strong one
before the request is sent; passwords the schema refuses are sent as generated, so negative tests
still check that the server refuses them.
"""

import itertools
import os

import schemathesis

STRONG = ["Quiet lantern orbits a violet marsh", "Copper kites drift over Zanzibar 1987"]


def _schema_valid(password):
    if not isinstance(password, str) or not 10 <= len(password) <= 256 or "\x00" in password:
        return False
    try:
        # Lone surrogates are not text: the schema check refuses them, and so must we.
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@schemathesis.hook
def before_call(context, case, kwargs):
    body = case.body
    if not isinstance(body, dict) or not _schema_valid(body.get("password")):
        return
    local = str(body.get("email", "")).split("@")[0].lower()
    # The password must not contain the address either (when its local part has 4+ characters).
    body["password"] = next(p for p in STRONG if len(local) < 4 or local not in p.lower())


# An item and a learner that exist (made by api-conformance.sh): random ids almost never hit one,
# so every other case on the overrides paths uses these instead.
ITEM = os.environ.get("LYCEUM_CONFORMANCE_ITEM")
LEARNER = os.environ.get("LYCEUM_CONFORMANCE_LEARNER")
_turn = itertools.count()


def _int64(value):
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


@schemathesis.hook
def map_path_parameters(context, path_parameters):
    if not ITEM or not path_parameters or "id" not in path_parameters:
        return path_parameters
    if "/items/" not in context.operation.path or next(_turn) % 2:
        return path_parameters
    # A case made to break the schema through its ids stays as it is (it must be refused).
    if not all(_int64(v) for k, v in path_parameters.items() if k in ("id", "user_id")):
        return path_parameters
    path_parameters["id"] = int(ITEM)
    if "user_id" in path_parameters:
        path_parameters["user_id"] = int(LEARNER)
    return path_parameters
