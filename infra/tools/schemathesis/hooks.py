"""schemathesis hooks for `make api-fuzz` (loaded with SCHEMATHESIS_HOOKS=hooks).

The webhook authenticates by a field of the JSON body, which no OpenAPI
security scheme can express, so schemathesis alone would see nothing but 401.
Before each call, this hook puts the real webhook token (from
ROCKETCHAT_WEBHOOK_TOKEN) into most webhook bodies, and into half of those a
real command from a real site, so that the run reaches the login, status and
logout code. One body in eight keeps what schemathesis generated, so the 401
path stays covered. The choice is a checksum of the body: a rerun with the
same seed sends the same requests.
"""

import json
import os
import zlib

import schemathesis

TOKEN = os.environ["ROCKETCHAT_WEBHOOK_TOKEN"]
COMMANDS = ["/github login", "/gh status", "!github logout", "/github help", "/github", "/githubx login"]


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if case.operation.path != "/rocketchat/webhook" or not isinstance(case.body, dict):
        return
    pick = zlib.crc32(json.dumps(case.body, sort_keys=True, default=str).encode())
    if pick % 8 == 0:
        return
    case.body["token"] = TOKEN
    if pick % 2 == 0:
        case.body["text"] = COMMANDS[pick // 8 % len(COMMANDS)] + " " + str(case.body.get("text", ""))
        case.body["siteUrl"] = "https://chat.example.com/"


@schemathesis.deserializer("text/html")
def html_page(ctx, response):
    """Hands the pages to the schema check as text, so that the Page schema
    (a string starting with <!doctype html>) is checked too."""
    return response.content.decode(response.encoding or "utf-8")
