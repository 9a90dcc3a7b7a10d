"""The small HTTP front end: one-click unsubscribe pages, the suppression API and a health check.

``app.create_app(rt)`` builds the Flask app; ``server.serve(rt, stop)`` runs it under waitress
until ``stop`` is set. Nothing here decides anything: tokens live in :mod:`bot.unsubscribe` and
queries in :mod:`bot.store`.
"""
