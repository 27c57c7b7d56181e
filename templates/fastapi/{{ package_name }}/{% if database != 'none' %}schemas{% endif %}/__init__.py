"""The shapes of request and response bodies, apart from the tables they are stored in."""
