"""pystarter: a reasoned pick of Django, Flask or FastAPI, and a starter that passes its tests."""

__version__ = "0.2.0"
