"""qabot's Alembic migrations; `alembic.ini` lives here so it ships with the package.

Run them with `bot.migrate.upgrade_database(url)` or, from a checkout,
`alembic -c migrations/alembic.ini upgrade head`.
"""
