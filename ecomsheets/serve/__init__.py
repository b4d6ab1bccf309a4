"""The month on a web page (`ecomsheets serve`): teams hand in behind their links and see their
findings; the manager sees who has handed in what, and builds the month's summary.

    store     the data folder: SQLite record, files by SHA-256
    security  password hashing, CSRF tokens, sign-in rate limit, uploaded names
    access    who is asking (manager or a team's link), refusals with their HTTP status
    service   what is done: checks, templates, status, summary, annotated zip (worker threads)
    api       /api/…: JSON documents, the CLI's plus ids and links
    pages     the HTML pages (templates/serve/)
    app       the application: routes, limits, security headers

Start it with `ecomsheets.serve.app.create_app(data_dir, catalog)` (uvicorn runs it).
"""
