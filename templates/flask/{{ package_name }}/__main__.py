"""Flask's development server on 127.0.0.1, port ``PORT`` (8000), settings from ``.env``.

Debugger and reloader only with ``FLASK_DEBUG=1``. In production run gunicorn instead.
"""

import os
from pathlib import Path

from flask.cli import load_dotenv

from . import create_app


def main() -> None:
    load_dotenv(Path(__file__).resolve().parent.parent / ".env")  # the project's, from any folder
    app = create_app()
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))


if __name__ == "__main__":
    main()
