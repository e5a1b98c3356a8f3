"""The image downloader against a real aiohttp server on loopback."""

from __future__ import annotations

import asyncio
import io
import ipaddress
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from PIL import Image

from bot.fetch import (
    FetchLimits,
    FetchTimeoutError,
    HostToken,
    HostUnreachableError,
    ImageFetcher,
    ImageTooLargeError,
    LinkRefusedError,
    NotAnImageError,
    is_public_address,
    looks_like_html,
    looks_like_image,
    parse_origins,
)


def _png(size: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()


class FileServer:
    """A small web server with one route per way a download can go wrong."""

    def __init__(self) -> None:
        self.seen_authorization: list[str | None] = []
        self.other_origin = ""
        self.app = web.Application()
        self.app.router.add_get("/cat.png", self.cat)
        self.app.router.add_get("/page", self.page)
        self.app.router.add_get("/text", self.text)
        self.app.router.add_get("/big", self.big)
        self.app.router.add_get("/slow", self.slow)
        self.app.router.add_get("/endless", self.endless)
        self.app.router.add_get("/missing", self.missing)
        self.app.router.add_get("/redirect", self.redirect)
        self.app.router.add_get("/loop", self.loop)
        self.runner = web.AppRunner(self.app)
        self.port = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = self.runner.addresses[0][1]

    async def cat(self, request: web.Request) -> web.Response:
        self.seen_authorization.append(request.headers.get("Authorization"))
        return web.Response(body=PNG, content_type="image/png")

    async def page(self, request: web.Request) -> web.Response:
        html = "<!DOCTYPE html><html><body>Sign in</body></html>"
        return web.Response(text=html, content_type="text/html")

    async def text(self, request: web.Request) -> web.Response:
        return web.Response(text="just words", content_type="text/plain")

    async def big(self, request: web.Request) -> web.Response:
        return web.Response(body=PNG + b"\0" * 50_000, content_type="image/png")

    async def slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(body=PNG, content_type="image/png")

    async def endless(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "image/png"})
        await response.prepare(request)
        await response.write(PNG)
        while True:
            await response.write(b"\0" * 1024)
            await asyncio.sleep(0.01)

    async def missing(self, request: web.Request) -> web.Response:
        return web.Response(status=404)

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound("/loop")


@pytest.fixture
async def server() -> AsyncIterator[FileServer]:
    file_server = FileServer()
    await file_server.start()
    yield file_server
    await file_server.runner.cleanup()


@pytest.fixture
async def other_server() -> AsyncIterator[FileServer]:
    file_server = FileServer()
    await file_server.start()
    yield file_server
    await file_server.runner.cleanup()


def _fetcher(*origins: str, **limits: float) -> ImageFetcher:
    return ImageFetcher(allow_from=origins, limits=FetchLimits(**limits))  # type: ignore[arg-type]


async def test_fetches_an_image_from_an_allowed_origin(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        fetched = await fetcher.fetch(f"{server.origin}/cat.png")

    assert fetched.data == PNG
    assert fetched.content_type == "image/png"


async def test_loopback_is_refused_without_the_allow_list(server: FileServer) -> None:
    async with _fetcher() as fetcher:
        with pytest.raises(LinkRefusedError, match="private, loopback or link-local"):
            await fetcher.fetch(f"{server.origin}/cat.png")

    assert server.seen_authorization == []


async def test_a_host_name_resolving_to_loopback_is_refused(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(LinkRefusedError, match="localhost"):
            await fetcher.fetch(f"http://localhost:{server.port}/cat.png")

    assert server.seen_authorization == []


async def test_a_redirect_to_a_private_address_is_refused(server: FileServer) -> None:
    target = "http://169.254.169.254/latest/meta-data/"
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(LinkRefusedError, match=r"169\.254\.169\.254"):
            await fetcher.fetch(f"{server.origin}/redirect?to={target}")


async def test_a_redirect_to_a_name_resolving_to_loopback_is_refused(server: FileServer) -> None:
    target = f"http://localhost:{server.port}/cat.png"
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(LinkRefusedError):
            await fetcher.fetch(f"{server.origin}/redirect?to={target}")

    assert server.seen_authorization == []


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.8/a.png",
        "http://192.168.1.1/a.png",
        "http://172.16.0.1/a.png",
        "http://127.0.0.1/a.png",
        "http://[::1]/a.png",
        "http://[fe80::1]/a.png",
        "http://[::ffff:127.0.0.1]/a.png",
        "http://100.64.0.1/a.png",
        "http://0.0.0.0/a.png",
    ],
)
async def test_private_address_literals_are_refused(url: str) -> None:
    async with _fetcher() as fetcher:
        with pytest.raises(LinkRefusedError, match="private, loopback or link-local"):
            await fetcher.fetch(url)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/a.png", "file:///etc/passwd", "javascript:alert(1)", "gopher://x/"]
)
async def test_schemes_other_than_http_are_refused(url: str) -> None:
    async with _fetcher() as fetcher:
        with pytest.raises(LinkRefusedError, match="Only http and https links"):
            await fetcher.fetch(url)


async def test_a_web_page_is_named_as_such(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(NotAnImageError, match="web page"):
            await fetcher.fetch(f"{server.origin}/page")


async def test_other_content_is_not_an_image(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(NotAnImageError, match="not an image"):
            await fetcher.fetch(f"{server.origin}/text")


async def test_a_declared_large_body_is_refused(server: FileServer) -> None:
    async with _fetcher(server.origin, max_bytes=10_000) as fetcher:
        with pytest.raises(ImageTooLargeError) as refused:
            await fetcher.fetch(f"{server.origin}/big")

    assert refused.value.limit == 10_000
    assert refused.value.received is not None
    assert refused.value.received > 10_000


async def test_a_lower_limit_per_download_applies(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(ImageTooLargeError):
            await fetcher.fetch(f"{server.origin}/big", max_bytes=10_000)
        fetched = await fetcher.fetch(f"{server.origin}/cat.png", max_bytes=10_000)

    assert fetched.data == PNG


async def test_an_endless_body_stops_at_the_byte_limit(server: FileServer) -> None:
    async with _fetcher(server.origin, max_bytes=20_000, seconds=10) as fetcher:
        with pytest.raises(ImageTooLargeError):
            await fetcher.fetch(f"{server.origin}/endless")


async def test_an_endless_body_stops_at_the_time_limit(server: FileServer) -> None:
    async with _fetcher(server.origin, seconds=0.5) as fetcher:
        with pytest.raises(FetchTimeoutError, match=r"within 0\.5 seconds"):
            await fetcher.fetch(f"{server.origin}/endless")


async def test_a_slow_server_stops_at_the_time_limit(server: FileServer) -> None:
    async with _fetcher(server.origin, seconds=0.3) as fetcher:
        with pytest.raises(FetchTimeoutError):
            await fetcher.fetch(f"{server.origin}/slow")


async def test_an_error_status_is_reported(server: FileServer) -> None:
    async with _fetcher(server.origin) as fetcher:
        with pytest.raises(HostUnreachableError, match="status 404") as failed:
            await fetcher.fetch(f"{server.origin}/missing")

    assert failed.value.status == 404


async def test_endless_redirects_are_refused(server: FileServer) -> None:
    async with _fetcher(server.origin, max_redirects=3) as fetcher:
        with pytest.raises(LinkRefusedError, match="more than 3 times"):
            await fetcher.fetch(f"{server.origin}/loop")


async def test_a_closed_port_is_unreachable(server: FileServer) -> None:
    origin = "http://127.0.0.1:9"
    async with _fetcher(origin) as fetcher:
        with pytest.raises(HostUnreachableError, match="did not answer"):
            await fetcher.fetch(f"{origin}/cat.png")


async def test_the_token_goes_only_to_its_own_origin(
    server: FileServer, other_server: FileServer
) -> None:
    token = HostToken(server.origin, "Bearer secret-token")
    redirect = f"{server.origin}/redirect?to={other_server.origin}/cat.png"

    async with _fetcher(server.origin, other_server.origin) as fetcher:
        await fetcher.fetch(f"{server.origin}/cat.png", token=token)
        fetched = await fetcher.fetch(redirect, token=token)

    assert server.seen_authorization == ["Bearer secret-token"]
    assert other_server.seen_authorization == [None]
    assert fetched.url == f"{other_server.origin}/cat.png"
    assert "secret-token" not in repr(token)


def test_origins_are_read_from_the_setting_form() -> None:
    origins = parse_origins(" http://127.0.0.1:8080, https://files.internal ,")

    assert origins == frozenset({("127.0.0.1", 8080), ("files.internal", 443)})


def test_a_malformed_origin_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="http://host:port"):
        parse_origins("files.internal")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("::ffff:10.0.0.1", False),
        ("fd00::1", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


def test_sniffing() -> None:
    assert looks_like_image(PNG)
    assert looks_like_image(b"RIFF\0\0\0\0WEBPVP8 ")
    assert not looks_like_image(b"<html>")
    assert looks_like_html(b"  <!doctype HTML><html>")
    assert looks_like_html(b"", "text/html; charset=utf-8")
    assert not looks_like_html(PNG, "image/png")
