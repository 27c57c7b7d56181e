"""HTTP errors: JSON for API clients, the site's own 404 and 500 pages for browsers."""

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

#: Status codes with a page of their own in templates/; others keep Werkzeug's plain page.
ERROR_PAGES = {404: "404.html", 500: "500.html"}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    """Also called for unhandled exceptions, as a 500 (Flask logs their traceback first). The
    error's own headers stay (``WWW-Authenticate`` of a 401, ``Retry-After`` of a 429)."""
    code = error.code or 500
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    if wants_json():
        return {"error": error.name, "detail": error.description}, code, headers
    if code in ERROR_PAGES:
        return render_template(ERROR_PAGES[code]), code, headers
    return error


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
