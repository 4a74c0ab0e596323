"""`hvo web` serves the app in a browser through textual-serve: the page over HTTP, and through its
websocket a real `hvo` process that starts at the login screen (the app's own login applies).
The embedded demo database, which has no login, is refused."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx

from hvo_tui.cli import main


def stop(process: subprocess.Popen) -> None:
    """End a server started by a test: SIGTERM, and SIGKILL when it does not go."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_hvo_web_refuses_the_embedded_demo_database(capsys):
    assert main(["web", "--port", str(free_port())]) == 2
    assert "gedeelde database" in capsys.readouterr().err


def test_hvo_web_serves_the_page_and_the_app_asks_to_log_in(tmp_path):
    import aiohttp  # comes with textual-serve

    from store.db import open_database
    from tests.queue_data import seed_queue

    db = tmp_path / "hvo.db"
    engine = open_database(f"sqlite:///{db}", auto_upgrade=True)
    with engine.begin() as conn:
        seed_queue(conn)
    engine.dispose()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HVO_")}
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        USER="serveraccount",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hvo_tui",
            "web",
            "--database",
            f"sqlite:///{db}",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        end = time.monotonic() + 30
        page = None
        while time.monotonic() < end:
            try:
                page = httpx.get(url, timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read().decode()
                time.sleep(0.2)
        assert page is not None and page.status_code == 200, "no page"
        assert "xterm" in page.text and f"ws://127.0.0.1:{port}/ws" in page.text

        async def screen_text() -> str:
            seen = ""
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30") as ws,
            ):
                await ws.send_json(["resize", {"width": 100, "height": 30}])
                deadline = asyncio.get_running_loop().time() + 40
                while "Wachtwoord" not in seen and "wachtwoord" not in seen:
                    left = deadline - asyncio.get_running_loop().time()
                    assert left > 0, seen[-3000:]
                    message = await ws.receive(timeout=left)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data.decode("utf-8", "replace")
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data
                    else:
                        break
                await ws.send_json(["stdin", "q"])
            return seen

        seen = asyncio.run(screen_text())
        assert "serveraccount" not in seen  # the server's own login name is not offered
    finally:
        stop(server)
