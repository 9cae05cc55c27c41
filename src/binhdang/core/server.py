"""The production server on Linux: gunicorn, several processes of several threads each.

One Python process runs Python code on one core at a time, so a single process could not use a
server's cores under load (issue 16: 24 req/s on 2 cores with one process, 43–49 with two).
gunicorn forks `workers` processes after the application is loaded (preloaded: the code and the
static index are shared copy-on-write), each with `threads` threads for requests that wait on the
database. Windows has no fork: there `binhdang serve` uses waitress (cli.py).
"""

from gunicorn.app.base import BaseApplication


class _Application(BaseApplication):
    """gunicorn, configured from the arguments rather than its own command line."""

    def __init__(self, application, settings: dict):
        self.application = application
        self.settings = settings
        super().__init__()

    def load_config(self):
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self):
        return self.application


def run_gunicorn(application, *, bind, workers, threads, connections, backlog, timeout) -> None:
    """Serve `application` until stopped (SIGTERM or Ctrl+C: finish the requests in progress)."""
    _Application(
        application,
        {
            "bind": [bind],
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            # gthread's limit on open client connections per process, keep-alive ones included.
            "worker_connections": connections,
            "backlog": backlog,
            "timeout": timeout,
            "graceful_timeout": 30,
            "keepalive": 5,
            "preload_app": True,
            # The control socket lives at one path per user: two servers would fight over it.
            "control_socket_disable": True,
            "proc_name": "binhdang",
            # Errors to stderr; no access log line per request (the proxy keeps that).
            "errorlog": "-",
            "accesslog": None,
        },
    ).run()
