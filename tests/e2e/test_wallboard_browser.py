"""`nextcall wallboard --serve` opened in a real browser: headless Chromium over the DevTools protocol.

The served page draws the terminal with xterm.js on a canvas (WebGL), so the
agents' names are pixels, not DOM text. The test proves a name reached the
page by reading what the page itself received: with the DevTools `Network`
domain on, every websocket frame the page gets is reported to us. textual-serve
sends the wallboard's terminal output as binary frames; joined, decoded and
stripped of escape sequences they are the text xterm.js draws. The page then
marks itself as drawing (`-first-byte`), and a screenshot of the viewport must
be the full size and far from one flat colour. (xterm.js's screen-reader mode
would put the text in the DOM, but textual-serve keeps its Terminal private, so
it cannot be switched on from outside without patching the page.)

Chromium is Debian's /usr/bin/chromium (`.ci/run` installs it). Without it the
test skips with the reason, except with CI=true, where it fails.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from nextcall.seed.load import load_demo
from nextcall.store.db import make_engine
from nextcall.store.leaderboard import Metric, Period, leaderboard

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = (1280, 800)
PATIENCE = 60.0
"""Seconds any one step may take before the test gives up (polling, never a timing assertion)."""

ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor moves, modes
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, clipboard
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS and other strings
    r"|\x1b[@-Z\\-_]"  # two-byte escapes
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a child started in its own session, and everything it started (the served app, renderers)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    # The leader may be gone while a straggler in its group lives on.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


async def eventually(check: Callable[[], Awaitable[Any]], what: str, explain: Callable[[], str] = str) -> Any:
    """Poll `check` until it returns something truthy; fail after PATIENCE seconds saying `what`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            pytest.fail(f"{what} (waited {PATIENCE:.0f} s){explain()}")
        await asyncio.sleep(0.2)


class DevTools:
    """A minimal Chrome DevTools Protocol client: commands by id, events kept in order."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._next_id = 0
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type is not aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._pending:
                self._pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.append(data)
        for future in self._pending.values():
            future.set_exception(ConnectionError("the DevTools connection closed"))

    async def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next_id] = future
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self.ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(future, PATIENCE)
        if "error" in reply:
            raise AssertionError(f"DevTools {method}: {reply['error']}")
        return reply["result"]

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()


@asynccontextmanager
async def devtools(profile: Path, browser: subprocess.Popen[bytes], log: Path) -> AsyncIterator[DevTools]:
    """Connect to the browser-wide DevTools endpoint Chromium writes into its profile."""
    active = profile / "DevToolsActivePort"

    async def endpoint() -> str | None:
        if browser.poll() is not None:
            pytest.fail(f"Chromium exited with {browser.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        lines = active.read_text().split() if active.exists() else []
        return f"ws://127.0.0.1:{lines[0]}{lines[1]}" if len(lines) == 2 else None

    url = await eventually(endpoint, "Chromium wrote no DevToolsActivePort")
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(url, max_msg_size=0)
        client = DevTools(ws)
        try:
            yield client
        finally:
            await client.close()


def terminal_text(events: list[dict[str, Any]]) -> str:
    """What the page received over websockets as terminal output, as plain text."""
    chunks = [
        base64.b64decode(event["params"]["response"]["payloadData"])
        for event in events
        if event["method"] == "Network.webSocketFrameReceived" and event["params"]["response"]["opcode"] == 2
    ]
    return ESCAPES.sub("", b"".join(chunks).decode("utf-8", errors="replace"))


def png_pixels(png: bytes) -> tuple[int, int, set[bytes]]:
    """Width, height and the distinct colours of an 8-bit RGB or RGBA PNG (no Pillow)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat = 8, b""
    width = height = channels = 0
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, body = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6), f"unexpected PNG depth {depth} / colour type {colour_type}"
            channels = 3 if colour_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        start = y * (stride + 1)
        method, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        if method == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif method == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif method == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif method == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        # Every 4th pixel of every 4th line is plenty to tell a board from a blank page.
        if y % 4 == 0:
            colours.update(bytes(line[x : x + 3]) for x in range(0, stride, channels * 4))
        previous = line
    return width, height, colours


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing; install it with: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


def demo_store(tmp_path: Path) -> tuple[str, list[str]]:
    """A demo database and every name on its boards (ranked or not), with whoever tops quality first."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    load_demo(url, today=date.today(), now=datetime.now(UTC))
    engine = make_engine(url)
    board = leaderboard(engine, metric=Metric.quality, period=Period.last_7_days, team_id=None)
    engine.dispose()
    assert board.ranked, "the demo ranks nobody over the last 7 days"
    return url, [row.name for row in (*board.ranked, *board.unranked)]


@asynccontextmanager
async def served(tmp_path: Path, url: str, *options: str) -> AsyncIterator[tuple[int, str, Callable[[], str]]]:
    """`nextcall wallboard --serve` with `options`, answering: its port, the link it printed, its output."""
    port = free_port()
    env = {**os.environ, "NEXTCALL_DATA_DIR": str(tmp_path / "data"), "NEXTCALL_CONFIG_DIR": str(tmp_path / "config")}
    nextcall = Path(sys.executable).parent / "nextcall"
    server_log = tmp_path / "server.log"
    server = None
    try:
        with server_log.open("wb") as out:
            server = subprocess.Popen(
                [str(nextcall), "--db", url, "wallboard", "--serve", "--port", str(port), "--rotate", "0", *options],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
            )

        def server_output() -> str:
            return f"\nserver output:\n{server_log.read_text(errors='replace')[-3000:]}"

        async def link() -> str | None:
            if server.poll() is not None:
                pytest.fail(f"the server exited with {server.returncode}{server_output()}")
            found = re.search(r"open (https?://\S+) on the TV", server_log.read_text(errors="replace"))
            return found.group(1) if found else None

        printed = await eventually(link, "the server printed no link to open", server_output)
        async with aiohttp.ClientSession() as http:

            async def answers() -> bool:
                await link()  # fails at once if the server died
                try:
                    async with http.get(f"http://127.0.0.1:{port}/static/css/xterm.css") as response:
                        return response.status == 200
                except aiohttp.ClientError:
                    return False

            await eventually(answers, f"nothing answered HTTP 200 on port {port}", server_output)
        yield port, printed, server_output
    finally:
        if server is not None:
            stop(server)


async def open_in_chromium(chromium: Path, tmp_path: Path, page: str, names: list[str], explain: Callable[[], str]) -> Path:
    """Open `page` in headless Chromium, wait for `names[0]` to reach it and the board to draw; the screenshot."""
    browser_log = tmp_path / "chromium.log"
    profile = tmp_path / "chromium-profile"
    browser = None
    try:
        with browser_log.open("wb") as out:
            browser = subprocess.Popen(
                [str(chromium), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--no-first-run", "--disable-component-update", "--disable-sync", "--no-default-browser-check",
                 f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )

        async with devtools(profile, browser, browser_log) as cdp:
            target = await cdp.send("Target.createTarget", url="about:blank")
            session = (await cdp.send("Target.attachToTarget", targetId=target["targetId"], flatten=True))["sessionId"]
            await cdp.send("Network.enable", session)
            # The page links a Google Fonts stylesheet; the test stays offline and
            # the page's load (which opens the websocket) does not wait on it.
            await cdp.send("Network.setBlockedURLs", session, urls=["*fonts.googleapis.com*", "*fonts.gstatic.com*"])
            await cdp.send("Page.enable", session)
            await cdp.send(
                "Emulation.setDeviceMetricsOverride", session,
                width=VIEWPORT[0], height=VIEWPORT[1], deviceScaleFactor=1, mobile=False,
            )
            await cdp.send("Page.navigate", session, url=page)

            def received() -> str:
                text = terminal_text(cdp.events)
                return f"\nterminal text received ({len(text)} chars):\n{text[-2000:]}{explain()}"

            async def name_received() -> bool:
                return names[0] in terminal_text(cdp.events)

            # (a) The name is in the terminal output the page was sent.
            await eventually(name_received, f"{names[0]!r} never reached the page", received)
            text = terminal_text(cdp.events)
            assert "Quality" in text and "Last 7 days" in text, received()

            # The page handed those bytes to xterm.js: it sets -first-byte when it writes them.
            async def drawing() -> bool:
                result = await cdp.send(
                    "Runtime.evaluate", session,
                    expression="document.body.classList.contains('-first-byte') && !!document.querySelector('.xterm canvas')",
                    returnByValue=True,
                )
                return result["result"].get("value") is True

            await eventually(drawing, "the page never started drawing the terminal", received)

            # (b) A screenshot of the viewport: the full size, and a board, not a blank or
            # fading-in page. xterm.js draws on the next animation frames, so poll.
            shot = tmp_path / "wallboard.png"

            async def board_on_screen() -> bool:
                png = base64.b64decode((await cdp.send("Page.captureScreenshot", session, format="png"))["data"])
                shot.write_bytes(png)
                width, height, colours = png_pixels(png)
                assert (width, height) == VIEWPORT
                return len(colours) >= 8

            await eventually(board_on_screen, f"the screenshot stayed (nearly) one flat colour: {shot}")
            return shot
    finally:
        if browser is not None:
            stop(browser)


async def test_served_wallboard_shows_agent_names_in_the_browser(chromium: Path, tmp_path: Path) -> None:
    url, names = demo_store(tmp_path)
    async with served(tmp_path, url, "--host", "127.0.0.1") as (port, printed, server_output):
        assert printed == f"http://127.0.0.1:{port}/", "on loopback the link needs no token"
        shot = await open_in_chromium(chromium, tmp_path, printed, names, server_output)
    if shots := os.environ.get("NEXTCALL_E2E_SHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(shots) / "wallboard.png")


async def test_a_tv_opens_the_board_through_an_address_the_server_did_not_bind(chromium: Path, tmp_path: Path) -> None:
    """Bound to every address, opened through 127.0.0.2: the page must point its websocket there, not at 0.0.0.0."""
    url, names = demo_store(tmp_path)
    async with served(tmp_path, url, "--host", "0.0.0.0") as (port, printed, server_output):
        token = re.search(r"\?token=([\w-]+)$", printed)
        assert token, f"a board open to the network printed a link without a token: {printed}"
        assert "0.0.0.0" not in printed
        page = f"http://127.0.0.2:{port}/?token={token.group(1)}"
        async with aiohttp.ClientSession() as http, http.get(page) as response:
            html = await response.text()
        assert response.status == 200, html
        assert f'data-session-websocket-url="ws://127.0.0.2:{port}/ws/{token.group(1)}"' in html
        assert "0.0.0.0" not in html
        # Type a room can read: 40 px or more is at most 80 columns across a 1920-pixel TV, a name some 28 px tall.
        size = re.search(r'data-font-size="(\d+)"', html)
        assert size and int(size.group(1)) >= 40, html
        await open_in_chromium(chromium, tmp_path, page, names, server_output)


async def test_without_the_token_the_served_board_says_nothing_about_the_team(tmp_path: Path) -> None:
    url, names = demo_store(tmp_path)
    async with served(tmp_path, url, "--host", "127.0.0.1", "--token", "s3cret-board") as (port, printed, _):
        assert printed == f"http://127.0.0.1:{port}/?token=s3cret-board"
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            for path in ("/", "/?token=wrong", "/?token=", "/ws", "/ws/wrong", "/ws/s3cret-boardX"):
                async with http.get(base + path) as response:
                    body = await response.text()
                assert response.status == 403, (path, response.status, body)
                assert not [name for name in names if name in body], body
                assert "token" in body  # says what is missing: the full link
            for path in ("/ws", "/ws/wrong"):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await http.ws_connect(base + path)
                assert refused.value.status == 403
            # The right token opens the page and a websocket that sends the board.
            async with http.get(f"{base}/?token=s3cret-board") as response:
                assert response.status == 200
            async with http.ws_connect(f"{base}/ws/s3cret-board?width=120&height=36") as ws:
                received = b""
                try:
                    async with asyncio.timeout(PATIENCE):  # a ceiling only a hang reaches
                        while names[0] not in ESCAPES.sub("", received.decode("utf-8", errors="replace")):
                            message = await ws.receive()
                            assert message.type is not aiohttp.WSMsgType.CLOSED, "the websocket closed first"
                            if message.type is aiohttp.WSMsgType.BINARY:
                                received += message.data
                except TimeoutError:
                    pytest.fail(f"{names[0]!r} never came over the websocket with the token (waited {PATIENCE:.0f} s)")


def test_help_says_what_serving_on_every_address_exposes() -> None:
    from click.testing import CliRunner

    from nextcall.tui.cli import app

    result = CliRunner().invoke(app, ["wallboard", "--help"], prog_name="nextcall", terminal_width=200)
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "0.0.0.0 listens on every network this machine is on: anyone who reaches the port and has the link sees every name and score on the board" in text
    assert "--token TEXT With --serve: the page opens only for links ending in ?token=TEXT" in text
    assert "--public-url URL" in text and "--top N" in text
    assert "Keys: m (or space) metric, p period, t team, q quit." in text


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--token", "short"], "--token: use 8 or more letters, digits, - or _"),
        (["--token", "a token with spaces"], "--token: use 8 or more letters, digits, - or _"),
        (["--public-url", "board.example.com"], "--public-url: 'board.example.com' is not an http:// or https:// address"),
    ],
)
def test_a_token_or_address_that_cannot_go_into_a_link_is_refused_before_serving(
    tmp_path: Path, options: list[str], complaint: str
) -> None:
    from click.testing import CliRunner

    from nextcall.tui.cli import app

    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'n.db'}", "wallboard", "--serve", "--port", str(free_port()), *options],
        prog_name="nextcall",
    )
    assert result.exit_code == 1
    assert complaint in result.stderr
    assert "Serving" not in result.stdout


async def test_behind_a_proxy_the_page_points_at_the_public_url(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    options = ("--host", "127.0.0.1", "--public-url", "https://board.example.com/")
    async with served(tmp_path, url, *options) as (port, printed, _), aiohttp.ClientSession() as http:
        assert printed == "https://board.example.com/"
        async with http.get(f"http://127.0.0.1:{port}/") as response:
            html = await response.text()
        assert 'data-session-websocket-url="wss://board.example.com/ws"' in html
        assert 'href="https://board.example.com/static/css/xterm.css"' in html
        assert "127.0.0.1" not in html


async def test_a_host_header_that_is_not_an_address_does_not_reach_the_page(tmp_path: Path) -> None:
    url, _ = demo_store(tmp_path)
    async with served(tmp_path, url, "--host", "127.0.0.1") as (port, _, _), aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/", headers={"Host": 'x"><script>alert(1)</script>'}) as response:
            body = await response.text()
        assert response.status == 400
        assert "<script>" not in body
        async with http.get(f"http://127.0.0.1:{port}/", headers={"Host": f"wallboard.local:{port}"}) as response:
            html = await response.text()
        assert f'data-session-websocket-url="ws://wallboard.local:{port}/ws"' in html
