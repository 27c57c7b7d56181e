"""Settings per environment, all built on `base`:

- `development`: the default of `manage.py` and `python -m`; debug pages, emails on the console;
- `test`: what pytest uses; fast password hashing, emails kept in memory;
- `production`: what gunicorn (`wsgi.py`) uses; HTTPS, strict hosts, debug pinned off, SMTP.
"""
