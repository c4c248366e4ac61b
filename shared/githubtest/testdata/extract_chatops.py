#!/usr/bin/env python3
"""Adds to github-rest-extract.json the REST operations the chat commands use
(chatops via githubapi), read from GitHub's REST description, and the rate
limit headers from GitHub's docs.

Usage: extract_chatops.py DESCRIPTION.json  (e.g. generated/api.github.com.json
of `npm pack @octokit/openapi@23.0.2`, a copy of github/rest-api-description's
descriptions/api.github.com/api.github.com.json). Re-running replaces the
operations it wrote; the others are kept.

For each success answer it records the required fields of the top-level
object (of each element, for arrays) and, below them, of every nested object
the schema requires (depth 3), e.g. "user", "labels[]", "head.repo.owner";
nullable ones are listed under "nullable" and checked only when not null.
"""
import json
import sys

EXTRACT = __file__.rsplit("/", 1)[0] + "/github-rest-extract.json"

OPS = [
    ("repos/get", "GET", "/repos/{owner}/{repo}"),
    ("issues/list-for-repo", "GET", "/repos/{owner}/{repo}/issues"),
    ("issues/create", "POST", "/repos/{owner}/{repo}/issues"),
    ("pulls/list", "GET", "/repos/{owner}/{repo}/pulls"),
    ("repos/get-latest-release", "GET", "/repos/{owner}/{repo}/releases/latest"),
    ("search/issues-and-pull-requests", "GET", "/search/issues"),
]

BASIC = ["message", "documentation_url", "status"]

def basic(source, when):
    return {"source": source, "when": when, "content_type": "application/json",
            "schema": "#/components/schemas/basic-error", "fields": BASIC}

RATE_403 = basic("docs-rate-limits", "a rate limit is spent (403 or 429; the stand-in answers 403): X-RateLimit-Remaining 0, or Retry-After for a secondary limit; also a GitHub App token lacking a permission: 'Resource not accessible by integration' with X-Accepted-GitHub-Permissions")
UNAUTH = basic("rest-description #/components/responses/requires_authentication", "an unknown, expired or revoked token: 'Bad credentials'")
NOT_FOUND = basic("rest-description #/components/responses/not_found", "no such repository, or a private one the token cannot see (GitHub answers 404, never 403, so as not to reveal it)")
VERSION = basic("docs-api-versions", "unsupported X-GitHub-Api-Version")

OTHER = {
    "repos/get": {"401": UNAUTH, "400": VERSION},
    "issues/list-for-repo": {"401": UNAUTH, "403": RATE_403,
        "410": basic("rest-description issues/create documents 410 (gone, basic-error)", "issues are disabled in the repository")},
    "issues/create": {"401": UNAUTH},
    "pulls/list": {"401": UNAUTH, "403": RATE_403,
        "404": basic("rest-description #/components/responses/not_found (pulls/list lists only 200, 304 and 422; GitHub answers 404 for an unknown or hidden repository as repos/get does)", NOT_FOUND["when"])},
    "repos/get-latest-release": {"401": UNAUTH, "403": RATE_403},
    "search/issues-and-pull-requests": {},
}

NOTES = {
    "issues/list-for-repo": "GitHub's list of issues includes pull requests (items with a pull_request key); per_page at most 100, default 30; pages linked by the Link header (first, prev, next, last).",
    "issues/create": "title is required: a missing or empty one answers 422 validation-error {resource: Issue, field: title, code: missing_field}. OAuth tokens need the repo or public_repo scope, else 404 (docs-troubleshooting, '404 Not Found for an existing resource': the token must have the scopes the endpoint requires; GitHub answers 404, not 403, not to confirm private repositories); GitHub App user tokens need issues=write, else 403 'Resource not accessible by integration'.",
    "pulls/list": "per_page at most 100, default 30; pages linked by the Link header.",
    "search/issues-and-pull-requests": "advanced_search=true selects advanced search (AND, OR, parentheses); GitHub made it the default for issue searches on 2025-09-04. A GitHub App user token must say is:issue or is:pull-request (else 422). Its own rate limit: 30 requests a minute when authenticated (X-RateLimit-Resource: search).",
    "repos/get-latest-release": "404 when the repository has no published release.",
}

def main(path):
    d = json.load(open(path))
    S = d["components"]["schemas"]
    R = d["components"]["responses"]
    P = d["components"]["parameters"]

    def deref(x):
        name = None
        while "$ref" in x:
            name = x["$ref"].split("/")[-1]
            x = S[name]
        return x, name

    def merged(s):
        # allOf / anyOf / oneOf: take the first alternative's object.
        for k in ("allOf", "anyOf", "oneOf"):
            if k in s:
                out = {"type": "object", "properties": {}, "required": []}
                for part in s[k] if k == "allOf" else s[k][:1]:
                    p, _ = deref(part)
                    p = merged(p)
                    out["properties"].update(p.get("properties", {}))
                    out["required"] += p.get("required", [])
                out["nullable"] = s.get("nullable", False) or any(deref(p)[0].get("nullable") for p in s[k])
                return out
        return s

    def walk(s, prefix, nested, nullable, depth):
        s = merged(s)
        for f in s.get("required", []):
            sub, _ = deref(s.get("properties", {}).get(f, {}))
            sub = merged(sub)
            key = prefix + f
            if sub.get("type") == "array":
                item, _ = deref(sub.get("items", {}))
                item = merged(item)
                if item.get("required") and depth < 3:
                    nested[key + "[]"] = sorted(item["required"])
                    walk(item, key + "[].", nested, nullable, depth + 1)
            elif sub.get("required") and depth < 3:
                nested[key] = sorted(sub["required"])
                if sub.get("nullable"):
                    nullable.append(key)
                walk(sub, key + ".", nested, nullable, depth + 1)

    ops = []
    for op_id, method, path_ in OPS:
        op = d["paths"][path_][method.lower()]
        assert op["operationId"] == op_id, (op_id, op["operationId"])
        entry = {"operation": op_id, "source": "rest-description", "method": method, "path": path_,
                 "documented_statuses": sorted(op["responses"]),
                 "query_parameters": sorted((deref(p)[0] if "$ref" not in p else P[p["$ref"].split("/")[-1]])["name"] for p in op.get("parameters", []) if (P.get(p.get("$ref", "").split("/")[-1]) or p).get("in") == "query")}
        if "requestBody" in op:
            body, _ = deref(op["requestBody"]["content"]["application/json"]["schema"])
            entry["request"] = {"content_type": "application/json", "required_fields": body.get("required", [])}
        statuses = {}
        for code, r in sorted(op["responses"].items()):
            ref = None
            if "$ref" in r:
                ref = r["$ref"]
                r = R[ref.split("/")[-1]]
            spec = {"description": r.get("description", "")}
            if ref:
                spec["response"] = ref
            content = r.get("content", {}).get("application/json")
            if code == "304":
                spec["note"] = "only for conditional requests; neither the client nor the stand-in makes or answers them"
            elif content:
                schema, name = deref(content["schema"])
                spec["content_type"] = "application/json"
                if schema.get("type") == "array":
                    item, name = deref(schema["items"])
                    spec["schema"] = "#/components/schemas/%s (array)" % name
                    spec["array"] = True
                    schema = item
                else:
                    spec["schema"] = "#/components/schemas/%s" % name if name else "inline object"
                if name == "basic-error":
                    spec["fields"] = BASIC
                elif name == "validation-error":
                    spec["fields"] = ["message", "documentation_url"]
                elif code.startswith("2"):
                    schema = merged(schema)
                    spec["required_fields"] = schema.get("required", [])
                    nested, nullable = {}, []
                    walk(schema, "", nested, nullable, 1)
                    spec["nested_required"] = nested
                    spec["nullable"] = nullable
                else:
                    spec["fields"] = sorted(schema.get("properties", {}))
            if r.get("headers"):
                spec["headers"] = {h: {"source": "rest-description"} for h in r["headers"]}
            statuses[code] = spec
        entry["statuses"] = statuses
        entry["other_statuses"] = OTHER[op_id]
        if op_id in NOTES:
            entry["note"] = NOTES[op_id]
        ops.append(entry)

    x = json.load(open(EXTRACT))
    ids = {o["operation"] for o in ops}
    x["operations"] = [o for o in x["operations"] if o["operation"] not in ids] + ops
    x["sources"]["docs-rate-limits"] = {
        "url": "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api",
        "also_read": "https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api (Rate limit errors)",
        "read_on": "2026-12-02"}
    x["sources"]["docs-troubleshooting"] = {
        "url": "https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api",
        "sections": ["Rate limit errors", "404 Not Found for an existing resource"],
        "read_on": "2026-12-02"}
    x["rate_limits"] = {
        "source": "docs-rate-limits",
        "headers": ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-RateLimit-Resource"],
        "reset": "UTC epoch seconds",
        "resources": {"core": {"authenticated_per_hour": 5000, "unauthenticated_per_hour": 60},
                      "search": {"authenticated_per_minute": 30, "unauthenticated_per_minute": 10}},
        "exceeded_statuses": [403, 429],
        "primary_exceeded": "403 or 429 with X-RateLimit-Remaining 0; wait until X-RateLimit-Reset",
        "secondary_exceeded": "403 or 429 with a message saying a secondary rate limit was exceeded; Retry-After seconds when present, else X-RateLimit-Reset if remaining is 0, else at least one minute"}
    with open(EXTRACT, "w") as f:
        json.dump(x, f, indent=1, ensure_ascii=False)
        f.write("\n")

if __name__ == "__main__":
    main(sys.argv[1])
