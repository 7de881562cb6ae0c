"""The web front door: pages and the JSON API over the application's one door (FastAPI, Jinja2)."""
