"""A local MNIST mirror, so downloads can be tried (in tests and for screenshots) without the internet.

:class:`LocalMirror` serves the real files from ``127.0.0.1`` and misbehaves on request: the first path
segment of each address picks how a file is served. :func:`downloads_from` makes the app's downloader
use it instead of the real mirrors.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HELD_AT = 0.4  # the share of each file the "held" mode sends before it waits for release()
_SMALL = "t10k-labels-idx1-ubyte.gz"


class LocalMirror:
    """A local HTTP server holding the four MNIST files of ``folder``.

    ``url(mode)`` is the address of one way of serving them (``mode`` defaults to :attr:`mode`):
    ``good`` the real files; ``corrupt`` a well-formed gzip with one byte of the payload changed (only
    the checksum catches it); ``wrong`` another MNIST file; ``garbage`` a gzip header and junk;
    ``drop`` a Content-Length larger than what is sent before the connection closes; ``nolength`` the
    real file without a Content-Length; ``held`` :data:`HELD_AT` of each file, the rest only after
    :meth:`release` (a download that stays part-way); anything else (``missing``) answers 404.
    ``requests`` lists the paths asked for.
    """

    def __init__(self, folder: Path, mode: str = "good") -> None:
        from training.mnist_files import MNIST_FILES

        self.mode = mode
        self.files = {name: (Path(folder) / name).read_bytes() for name in MNIST_FILES}
        self.requests: list[str] = []
        self.released = threading.Event()
        small = bytearray(gzip.decompress(self.files[_SMALL]))
        small[100] = (small[100] + 1) % 10
        corrupt = gzip.compress(bytes(small))
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                mirror.requests.append(self.path)
                _, mode, name = [*self.path.split("/", 2), "", ""][:3]
                body = mirror.files.get(name)
                if body is None or mode not in (
                    "good",
                    "corrupt",
                    "wrong",
                    "garbage",
                    "drop",
                    "nolength",
                    "held",
                ):
                    self.send_error(404)
                    return
                length = len(body)
                if mode == "corrupt":
                    body = corrupt
                elif mode == "wrong":
                    body = mirror.files[_SMALL if name != _SMALL else "train-labels-idx1-ubyte.gz"]
                elif mode == "garbage":
                    body = b"\x1f\x8b" + bytes(range(256)) * 40
                if mode in ("corrupt", "wrong", "garbage"):
                    length = len(body)
                elif mode == "drop":
                    body = body[: len(body) // 2]
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                if mode != "nolength":
                    self.send_header("Content-Length", str(length))
                self.end_headers()
                self.close_connection = True
                with contextlib.suppress(ConnectionError):  # the client cancelled mid-file
                    if mode == "held":
                        held = int(len(body) * HELD_AT)
                        self.wfile.write(body[:held])
                        self.wfile.flush()
                        mirror.released.wait(60)
                        body = body[held:]
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, mode: str | None = None) -> str:
        return f"{self.base}/{mode or self.mode}/"

    def release(self) -> None:
        """Send the rest of the files the ``held`` mode holds back."""
        self.released.set()

    def close(self) -> None:
        self.release()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@contextlib.contextmanager
def downloads_from(mirror: LocalMirror) -> Iterator[None]:
    """The app's MNIST downloads come from ``mirror`` (in its :attr:`LocalMirror.mode` at the time)."""
    from training import download

    real: Callable[..., Path] = download.download_mnist

    def from_the_mirror(dest_dir: object = None, **kwargs: object) -> Path:
        kwargs.pop("mirrors", None)
        return real(dest_dir, mirrors=[mirror.url()], **kwargs)

    download.download_mnist = from_the_mirror
    try:
        yield
    finally:
        download.download_mnist = real
