"""HTTP errors as JSON for API clients; browsers keep Flask's HTML error pages."""

from flask import Flask, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    if not wants_json():
        return error
    return {"error": error.name, "detail": error.description}, error.code or 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_error)
