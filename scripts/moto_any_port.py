"""Runs moto's server (as `moto_server -H 127.0.0.1` does) on a loopback port the
kernel picks, and prints that port on the first line of stdout.

The tests used to pick a free port, release it and pass it to `moto_server -p`:
on a busy machine another test's server could take the port in between. Here the
server process binds port 0 itself, so no other process can hold its port.
Usage: <moto's python> scripts/moto_any_port.py
"""

import os
import signal
import sys

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    server = make_server(
        "127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler
    )
    os.environ["MOTO_PORT"] = str(server.port)
    print(server.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
