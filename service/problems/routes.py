"""`/problems` and `/problems/{type}`: what each problem type means and what to do, served by the service itself,
so that every problem's `type` URI resolves (RFC 9457 3.1.1) wherever the service runs."""

from __future__ import annotations

import html
import inspect

from starlette.responses import HTMLResponse, Response

from service.errors import NotFound, Problem, problem_types
from service.http import PROBLEMS_PATH, PUBLIC, Call, Endpoint

HTML = "text/html"


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}'
                        f"</title></head>\n<body>{body}</body></html>\n")


def _explanation(kind: type[Problem]) -> str:
    """The first paragraph of the class's docstring (the rest, if any, is for the code's readers)."""
    return " ".join(inspect.cleandoc(kind.__doc__ or "").split("\n\n")[0].split())


async def problem_index(call: Call) -> Response:
    rows = "".join(
        f'<li><a href="{PROBLEMS_PATH}/{html.escape(name)}"><code>{html.escape(name)}</code></a> '
        f"({kind.status}) {html.escape(kind.title)}</li>"
        for name, kind in problem_types().items())
    return _page("Planwright problem types",
                 "<h1>Problem types</h1><p>Every error answer is RFC 9457 <code>application/problem+json</code>; "
                 f"its <code>type</code> is one of these pages.</p><ul>{rows}</ul>")


async def problem_page(call: Call) -> Response:
    name = str(call.request.path_params["type"])
    kind = problem_types().get(name)
    if kind is None:
        raise NotFound(f"no such problem type; the list is at {PROBLEMS_PATH}")
    return _page(f"{kind.title} ({kind.status})",
                 f"<h1>{html.escape(kind.title)}</h1><p>HTTP status {kind.status}; "
                 f"<code>type</code>: <code>{PROBLEMS_PATH}/{html.escape(name)}</code></p>"
                 f"<p>{html.escape(_explanation(kind))}</p>"
                 f'<p><a href="{PROBLEMS_PATH}">All problem types</a></p>')


ENDPOINTS = [
    Endpoint("GET", PROBLEMS_PATH, problem_index, PUBLIC, "Every problem type the API answers with", "problems",
             produces=HTML),
    Endpoint("GET", PROBLEMS_PATH + "/{type}", problem_page, PUBLIC,
             "What a problem type means and what to do (each problem's `type` URI)", "problems", produces=HTML,
             errors=(404,)),
]
