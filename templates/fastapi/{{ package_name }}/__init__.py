"""The application package: the app is in main.py, its settings in core/config.py."""
