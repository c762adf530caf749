"""The OpenAPI 3.1 document, generated from the endpoint table and the pydantic models in contracts/."""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

from contracts.api import ProblemOut
from contracts.ids import CANONICAL_UUID_PATTERN
from service.documents.service import OCTET_STREAM
from service.errors import problem_types
from service.http import PROBLEM_JSON, Endpoint

REF = "#/components/schemas/{model}"
_PARAM = re.compile(r"{(\w+)}")
# path ids are UUIDs in canonical form (a 422 otherwise), except these whole numbers
_INTEGER_PARAMS = frozenset({"line_id", "index"})


def _path_schema(name: str) -> dict[str, Any]:
    if name.endswith("_id") and name not in _INTEGER_PARAMS:
        return {"type": "string", "format": "uuid", "pattern": CANONICAL_UUID_PATTERN}
    if name == "type":
        return {"type": "string", "enum": list(problem_types())}
    return {"type": "string"}


def _takes_an_id(path: str) -> bool:
    return any(n.endswith("_id") and n not in _INTEGER_PARAMS for n in _PARAM.findall(path))


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF)
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": prop}
        for name, prop in schema.get("properties", {}).items()
    ]


def _upload_body(media_types: tuple[str, ...]) -> dict[str, Any]:
    """A streamed upload: the raw bytes, as application/octet-stream (what client generators send for a binary
    body; the server decides the type by content) or as the file's own media type, which the server also takes."""
    accepted = ", ".join(media_types)
    return {"required": True,
            "description": f"The file's bytes. Accepted: {accepted}; the type is decided by the content, so "
                           f"send Content-Type application/octet-stream or the file's own type.",
            "content": {OCTET_STREAM: {"schema": {"type": "string", "format": "binary"}}},
            "x-media-types": list(media_types)}


def _textual(media: str) -> bool:
    return media.startswith("text/") or media in {"application/json", "application/x-ndjson"}


def _produced(media: str, media_types: tuple[str, ...]) -> dict[str, Any]:
    """A response in one of the media types an endpoint produces besides its JSON model.

    Bytes are a binary string, text a string. Where one operation answers several types, some of them binary
    (an export's ?format=csv|xlsx|json, a document that is a PDF, a DOCX or text), its text and JSON forms have
    no schema: a generated client cannot tell from the declaration which one a call will get, and one that read
    every answer as JSON or as text would fail on the CSV or garble the PDF; with none declared it hands back
    the body's bytes whatever the type (openapi-python-client: `sync_detailed(...).content`).

    A stored file's download also offers application/octet-stream, which the server sends when the request's
    Accept header prefers it (service/documents/access.py): it is the binary type generators read as bytes
    (openapi-python-client gives `.parsed` a File), where the file's own type would leave the answer unread."""
    if _textual(media) and not all(_textual(other) for other in media_types):
        return {}
    if media == "application/json":
        return {"schema": {"type": "object"}}
    if _textual(media):
        return {"schema": {"type": "string", "contentMediaType": media}}
    return {"schema": {"type": "string", "format": "binary", "contentMediaType": media}}


def build_openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {}
    problem = _schema(ProblemOut, components)
    paths: dict[str, Any] = {}
    for ep in sorted(endpoints, key=lambda e: (e.path, e.method)):
        op: dict[str, Any] = {
            "operationId": ep.handler.__name__,
            "summary": ep.summary,
            "tags": [ep.tag],
            "x-roles": sorted(r.value for r in ep.roles) or ["public"],
        }
        params = [{"name": n, "in": "path", "required": True, "schema": _path_schema(n)}
                  for n in _PARAM.findall(ep.path)]
        if ep.query is not None:
            params += _query_parameters(ep.query)
        if ep.path == "/v1/bundles" and ep.method == "POST":
            params.append({"name": "Idempotency-Key", "in": "header", "required": False,
                           "schema": {"type": "string", "maxLength": 200}})
        if params:
            op["parameters"] = params
        if ep.body is not None:
            schema = _schema(ep.body, components)
            op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
        elif ep.raw_body:
            op["requestBody"] = _upload_body(ep.raw_body)
        responses: dict[str, Any] = {}
        content: dict[str, Any] = {}
        if ep.response is not None:
            content["application/json"] = {"schema": _schema(ep.response, components)}
        produces = (ep.produces,) if isinstance(ep.produces, str) else ep.produces or ()
        for media in produces:
            content[media] = _produced(media, produces)
        if content:
            described = "OK" if ep.response is not None else "The bytes"
            if OCTET_STREAM in produces:
                described = ("The file, as its own type; as application/octet-stream when the Accept header "
                             "prefers that")
            responses[str(ep.status)] = {"description": described,
                                         "content": content}
        else:
            responses[str(ep.status)] = {"description": "Done"}
        if ep.replays is not None:
            responses["200"] = {"description": ep.replays, "content": content}
        # every request can run out of time or meet an unavailable object store (503); a body can arrive too
        # slowly (408) or too big (413)
        codes = set(ep.errors) | ({401, 403} if not ep.public else set()) | {503}
        if ep.body is not None or ep.query is not None or _takes_an_id(ep.path):
            codes.add(422)
        if ep.body is not None:
            codes.add(400)  # not well-formed JSON
        if ep.body is not None or ep.raw_body:
            codes |= {408, 413}
        if not ep.public and ep.rate_limited:
            codes.add(429)
        for code in sorted(codes):
            responses[str(code)] = {"description": "Problem", "content": {PROBLEM_JSON: {"schema": problem}}}
        op["responses"] = responses
        if not ep.public:
            op["security"] = [{"bearer": []}]
        paths.setdefault(ep.path, {})[ep.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "Planwright API", "version": "1",
                 "description": "Outsourced EHCP plan writing: submit, screen, allocate, draft, QA, return, bill."},
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items())),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Planwright API</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}
code,pre{font:13px ui-monospace,monospace}.op{border:1px solid #ddd;border-radius:6px;margin:.6em 0;padding:.5em .8em}
.m{display:inline-block;min-width:4.5em;font-weight:700}.roles{color:#666;font-size:13px}
details pre{background:#f6f6f6;padding:.6em;overflow:auto}</style></head>
<body><h1>Planwright API</h1><p>Generated from <a href="/openapi.json">/openapi.json</a>.
Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>. Errors are RFC 9457 problem+json.</p>
<div id="ops"></div>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const root=document.getElementById('ops');
  for(const [path,ops] of Object.entries(doc.paths)){for(const [m,op] of Object.entries(ops)){
    const d=document.createElement('div');d.className='op';
    const h=document.createElement('div');
    h.innerHTML='<span class="m"></span> <code></code> &mdash; <span class="s"></span> <span class="roles"></span>';
    h.querySelector('.m').textContent=m.toUpperCase();h.querySelector('code').textContent=path;
    h.querySelector('.s').textContent=op.summary;h.querySelector('.roles').textContent='['+op['x-roles'].join(', ')+']';
    d.appendChild(h);const det=document.createElement('details');const sum=document.createElement('summary');
    sum.textContent='details';const pre=document.createElement('pre');pre.textContent=JSON.stringify(op,null,2);
    det.append(sum,pre);d.appendChild(det);root.appendChild(d);}}
});
</script></body></html>
"""
