"""The browser entry point: `python app.py` (or `coach serve`) serves the coach locally."""

import coach  # noqa: F401  (offline environment first)
from coach.facade import Coach
from coach.settings import get_settings
from coach.web import build_app, serve

demo = None

if __name__ == "__main__":
    settings = get_settings()
    serve(Coach(settings), host=settings.host, port=settings.port)
else:
    demo = build_app()
