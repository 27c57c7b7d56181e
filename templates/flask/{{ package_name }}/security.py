"""What a site on the public internet sends and believes: ProxyFix for the proxies in front
(``TRUSTED_PROXIES``), and security headers on every response."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

#: Pages load their styles, images and forms from this site only: no inline script, no frames.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def init_security(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` proxies, take the client's address and scheme from their
    X-Forwarded-For and X-Forwarded-Proto: ``request.is_secure``, Secure cookies, Flask-WTF's
    referrer check and ``url_for(..., _external=True)`` then see the https the client used."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    hsts = f"max-age={app.config['HSTS_SECONDS']}"

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        # Browsers heed HSTS only over https; HSTS_SECONDS=0 tells them to forget it.
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
