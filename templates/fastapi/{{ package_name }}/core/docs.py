"""Interactive API docs that work offline: Swagger UI at /docs and ReDoc at /redoc.

FastAPI's own pages load their JavaScript and CSS from a CDN, so they stay blank without
network. These pages load the same files from the fastapi-offline package, served by the app
itself (FastAPI's recipe "Self-hosting JavaScript and CSS for docs"); the app is created with
``docs_url=None, redoc_url=None``.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
REDOC_URL = "/redoc"
ASSETS_URL = "/docs-assets"
#: The docs pages run their inline set-up script and this app's files, and nothing else.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)


def add_docs(app: FastAPI) -> None:
    """Serve the docs pages and their assets (swagger-ui-bundle.js, swagger-ui.css,
    redoc.standalone.js, favicon.png) from this app."""
    app.mount(ASSETS_URL, StaticFiles(packages=[("fastapi_offline", "static")]), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        response = get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        response = get_swagger_ui_oauth2_redirect_html()
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "").rstrip("/")
        response = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
        # ReDoc's sidebar shows Redocly's logo from their CDN: images from this app only.
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response
