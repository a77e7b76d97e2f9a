"""Serving the wallboard to a TV's browser: the address the TV used, and a token at the door.

textual-serve writes one public URL into the page for the websocket and the
static files. Bound to 0.0.0.0 that URL would be `http://0.0.0.0:PORT`, which
no other machine can open, so each page gets the address its browser asked
for (the request's Host header) unless `public_url` fixes one (behind a proxy).

With a token, the page and the websocket open only for a link that carries it
(`/?token=…`); anything else gets a plain refusal that says nothing about the
team. The static files (the terminal emulator's script and styles) hold no data
and stay open.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import socket
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

DEFAULT_FONT_SIZE = 40
"""The page's type size in CSS pixels: about 80×22 cells on a 1920×1080 TV, so a name in plain bold type is
some 28 px tall, 14 mm on a 43-inch screen, readable at 4 m (at 32 px a name was the smallest thing on the
board, beside digits three lines tall). The board is laid out for 80 columns, so nothing is lost."""

REFUSAL = (
    "This wallboard opens only with its full link, the one printed when it was started "
    "(it ends in ?token=…). Ask whoever set up the TV for it.\n"
)

_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
"""A Host header that is a name or an address and an optional port, nothing that could break out of the page."""


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach a server bound to `host`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def address_for_others(host: str) -> str:
    """An address another machine can use for a server bound to `host` (0.0.0.0 is not one)."""
    if host not in ("0.0.0.0", "::", ""):
        return f"[{host}]" if ":" in host else host
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # a documentation address: picks the outgoing interface, sends nothing
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


def token_is_linkable(token: str) -> bool:
    """Whether a token can go into a link as it is, and is long enough not to be guessed at a glance."""
    return re.fullmatch(r"[A-Za-z0-9_-]{8,}", token) is not None


def make_token() -> str:
    """A token nobody can guess, short enough to type into a TV's address bar."""
    return secrets.token_urlsafe(12)


class WallboardServer(Server):
    """textual-serve's server with per-request URLs and an optional token."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        token: str | None = None,
        public_url: str | None = None,
        font_size: int = DEFAULT_FONT_SIZE,
    ) -> None:
        """
        Args:
            command: the wallboard's command line, run once per browser.
            host: the address to listen on.
            port: the port to listen on.
            title: the page's title.
            token: what a link must carry to see the board; None lets everyone who reaches the port in.
            public_url: the address browsers use (e.g. behind a proxy); None takes each request's own.
            font_size: the page's type size unless the link says `?fontsize=`.
        """
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.token = token
        self.font_size = font_size

    def page_url(self, host: str | None = None) -> str:
        """The link to open on the TV, token included."""
        base = self.fixed_public_url or f"http://{host or address_for_others(self.host)}:{self.port}"
        return f"{base}/" + (f"?token={self.token}" if self.token else "")

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._guard])
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path), autoescape=True)
        websocket = "/ws/{token}" if self.token else "/ws"
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get(websocket, self.handle_websocket, name="websocket"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        # textual-serve prints its logo and the bound address; the command has printed the link already.
        return

    def _allowed(self, request: web.Request) -> bool:
        if self.token is None or request.path.startswith("/static/"):
            return True
        given = request.match_info.get("token") or request.query.get("token") or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if not self._allowed(request):
            return web.Response(status=403, text=REFUSAL, content_type="text/plain")
        return await handler(request)

    def _base_url(self, request: web.Request) -> str:
        if self.fixed_public_url:
            return self.fixed_public_url
        host = request.host
        if not _HOST.match(host):
            raise web.HTTPBadRequest(text="The Host header is not an address.\n")
        return f"{request.scheme}://{host}"

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        base = self._base_url(request)
        router = request.app.router
        params = {"token": self.token} if self.token else {}
        websocket = f"{base}{router['websocket'].url_for(**params)}"
        scheme, rest = websocket.split(":", 1)
        return {
            "font_size": to_int(request.query.get("fontsize", str(self.font_size)), self.font_size),
            "app_websocket_url": ("wss:" if scheme == "https" else "ws:") + rest,
            "config": {"static": {"url": f"{base}{router['static'].url_for(filename='/')}".rstrip("/") + "/"}},
            "application": {"name": self.title},
        }
