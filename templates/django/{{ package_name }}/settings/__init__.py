"""`base` for development and tests, `production` for deployment (HTTPS, strict hosts)."""
