"""Downloading the picture behind a link, bounded and safe against server-side request forgery.

A link from a chat message is untrusted: it may point at the bot's own network
(a database, a cloud metadata service), never end, or be a web page instead of
a picture. :class:`ImageFetcher` follows such a link only as far as is safe:

* http and https only; every redirect is checked like the first link;
* host names are resolved by the fetcher itself, and a host whose address is
  private, loopback, link-local, multicast or reserved is refused, so a DNS
  answer or a redirect cannot smuggle a private address past the check;
* origins listed in ``allow_from`` (the ``DREAMBOT_ALLOW_FETCH_FROM`` setting)
  skip the address check, for tests and for file servers on a private network;
* the download is bounded in bytes and in seconds, redirects included;
* a platform token (:class:`HostToken`) is sent only to its own origin, never
  to a host a redirect leads to;
* a web page where a picture was expected is refused with a sentence that says
  so, since that is how a chat platform answers a token without file access.

Every refusal is a :class:`FetchError`, a :class:`engine.BadInput` whose message
is one sentence for the person who sent the link.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import logging
import socket
from collections.abc import Iterable
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot import messages
from engine.errors import BadInput

__all__ = [
    "FetchError",
    "FetchLimits",
    "FetchTimeoutError",
    "Fetched",
    "HostToken",
    "HostUnreachableError",
    "ImageFetcher",
    "ImageTooLargeError",
    "LinkRefusedError",
    "NotAnImageError",
    "is_public_address",
    "looks_like_html",
    "looks_like_image",
    "parse_origins",
]

_log = logging.getLogger(__name__)

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_IMAGE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)


# -- errors ----------------------------------------------------------------------------------------


class FetchError(BadInput):
    """A link that could not be turned into picture bytes; the message is for the sender."""

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url


class LinkRefusedError(FetchError):
    """A link the fetcher will not follow: a wrong scheme or a private address."""


class ImageTooLargeError(FetchError):
    """The picture is larger than the byte limit."""

    def __init__(self, *, url: str, limit: int, received: int | None) -> None:
        super().__init__(messages.file_too_large(limit, received), url=url)
        self.limit = limit
        self.received = received


class FetchTimeoutError(FetchError):
    """The download did not finish within the time limit."""

    def __init__(self, *, url: str, seconds: float) -> None:
        super().__init__(messages.url_too_slow(seconds), url=url)
        self.seconds = seconds


class HostUnreachableError(FetchError):
    """The host did not answer, or answered with an error status."""

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status


class NotAnImageError(FetchError):
    """The link gave something other than a picture (often a web page)."""

    def __init__(self, message: str, *, url: str, content_type: str | None) -> None:
        super().__init__(message, url=url)
        self.content_type = content_type


# -- configuration and results ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class HostToken:
    """A platform credential and the one origin allowed to receive it.

    ``origin`` is scheme, host and port, such as ``https://files.slack.com``;
    ``authorization`` is the whole ``Authorization`` header value. The value is
    kept out of ``repr`` so it cannot reach a log by accident.
    """

    origin: str
    authorization: str = dataclasses.field(repr=False)

    def applies_to(self, url: URL) -> bool:
        return _origin_key(url) == _origin_key(URL(self.origin))


@dataclasses.dataclass(frozen=True, kw_only=True)
class FetchLimits:
    """How far one download may go."""

    max_bytes: int = 25 * 1024 * 1024
    seconds: float = 20.0
    """For the whole download, redirects included."""

    max_redirects: int = 5


@dataclasses.dataclass(frozen=True)
class Fetched:
    """The bytes behind a link."""

    data: bytes
    content_type: str | None
    url: str
    """Where the bytes came from, after redirects."""


# -- the fetcher -----------------------------------------------------------------------------------


class ImageFetcher:
    """Downloads pictures from untrusted links; one instance serves many downloads.

    Use it as an async context manager, or call :meth:`close` when done.
    """

    def __init__(
        self,
        *,
        allow_from: Iterable[str] = (),
        limits: FetchLimits | None = None,
        user_agent: str = "dreambot (+image fetcher)",
    ) -> None:
        self.allowed_origins = parse_origins(allow_from)
        self.limits = limits or FetchLimits()
        self._user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ImageFetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self, url: str, *, token: HostToken | None = None, max_bytes: int | None = None
    ) -> Fetched:
        """The picture behind ``url``, or a :class:`FetchError` saying why not.

        ``max_bytes`` lowers the byte limit for this download only.
        """
        limit = min(max_bytes or self.limits.max_bytes, self.limits.max_bytes)
        try:
            async with asyncio.timeout(self.limits.seconds):
                fetched = await self._follow(URL(url), token=token, limit=limit)
        except TimeoutError as exc:
            raise FetchTimeoutError(url=url, seconds=self.limits.seconds) from exc

        _check_is_image(fetched)
        _log.debug("fetched %d bytes from %s", len(fetched.data), URL(fetched.url).host)
        return fetched

    async def _follow(self, url: URL, *, token: HostToken | None, limit: int) -> Fetched:
        for _hop in range(self.limits.max_redirects + 1):
            self._check_url(url)
            headers = {"User-Agent": self._user_agent}
            if token is not None and token.applies_to(url):
                headers["Authorization"] = token.authorization

            async with self._get(url, headers=headers) as response:
                if response.status in _REDIRECTS and "Location" in response.headers:
                    url = url.join(URL(response.headers["Location"]))
                    continue
                if response.status != 200:
                    message = messages.url_http_status(response.status)
                    raise HostUnreachableError(message, url=str(url), status=response.status)
                data = await _read_bounded(response, url=url, limit=limit)
                return Fetched(data, response.content_type or None, str(url))

        message = messages.url_too_many_redirects(self.limits.max_redirects)
        raise LinkRefusedError(message, url=str(url))

    def _get(self, url: URL, *, headers: dict[str, str]) -> _GuardedRequest:
        if self._session is None:
            resolver = _PublicOnlyResolver(self.allowed_origins)
            connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False)
        request = self._session.get(url, headers=headers, allow_redirects=False)
        return _GuardedRequest(request, url=url)

    def _check_url(self, url: URL) -> None:
        if url.scheme not in ("http", "https"):
            raise LinkRefusedError(messages.url_scheme(url.scheme), url=str(url))
        if not url.host:
            raise LinkRefusedError(messages.url_invalid(str(url)), url=str(url))
        if _origin_key(url)[1:] in self.allowed_origins:
            return

        literal = _ip_literal(url.host)
        if literal is not None and not is_public_address(literal):
            raise LinkRefusedError(messages.url_private_address(url.host), url=str(url))


class _GuardedRequest:
    """An aiohttp request whose connection failures become :class:`HostUnreachableError`."""

    def __init__(self, request: aiohttp.client._RequestContextManager, *, url: URL) -> None:
        self._request = request
        self._url = url
        self._response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> aiohttp.ClientResponse:
        try:
            self._response = await self._request.__aenter__()
        except _AddressRefused as exc:
            host = self._url.host or ""
            raise LinkRefusedError(messages.url_private_address(host), url=str(self._url)) from exc
        except aiohttp.ClientError as exc:
            host = self._url.host or ""
            raise HostUnreachableError(messages.url_unreachable(host), url=str(self._url)) from exc
        return self._response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._request.__aexit__(exc_type, exc, traceback)


class _AddressRefused(Exception):
    """A host name resolved to an address the fetcher does not connect to."""


class _PublicOnlyResolver(AbstractResolver):
    """Resolves host names and refuses any answer that is not a public address."""

    def __init__(self, allowed: frozenset[tuple[str, int]]) -> None:
        self._inner = DefaultResolver()
        self._allowed = allowed

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        answers = await self._inner.resolve(host, port, family)
        if (host.lower(), port) in self._allowed:
            return answers

        for answer in answers:
            if not is_public_address(ipaddress.ip_address(answer["host"])):
                _log.debug("refused %s: it resolves to %s", host, answer["host"])
                raise _AddressRefused(host)
        return answers

    async def close(self) -> None:
        await self._inner.close()


# -- helpers, public for the adapters -------------------------------------------------------------


def parse_origins(origins: Iterable[str] | str) -> frozenset[tuple[str, int]]:
    """``(host, port)`` pairs from origins such as ``http://127.0.0.1:8080``.

    A single string is read as a comma-separated list, the form of the
    ``DREAMBOT_ALLOW_FETCH_FROM`` setting. A malformed entry is a ``ValueError``.
    """
    if isinstance(origins, str):
        origins = origins.split(",")

    pairs = set()
    for text in (origin.strip() for origin in origins):
        if not text:
            continue
        url = URL(text)
        if url.scheme not in ("http", "https") or not url.host or url.port is None:
            raise ValueError(f"An allowed origin must look like http://host:port, not {text!r}.")
        pairs.add((url.host.lower(), url.port))
    return frozenset(pairs)


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``address`` is on the public internet (not private, loopback, link-local...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def looks_like_image(data: bytes) -> bool:
    """Whether ``data`` starts like a PNG, JPEG, GIF, WebP, BMP or TIFF file."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return True
    return data.startswith(_IMAGE_SIGNATURES)


def looks_like_html(data: bytes, content_type: str | None = None) -> bool:
    """Whether ``data`` is a web page, as a login page served instead of a file is."""
    if content_type is not None and content_type.startswith(("text/html", "application/xhtml")):
        return True
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def _check_is_image(fetched: Fetched) -> None:
    if looks_like_image(fetched.data):
        return
    if looks_like_html(fetched.data, fetched.content_type):
        raise NotAnImageError(
            messages.web_page_not_image(), url=fetched.url, content_type=fetched.content_type
        )
    raise NotAnImageError(
        messages.not_an_image(fetched.content_type),
        url=fetched.url,
        content_type=fetched.content_type,
    )


async def _read_bounded(response: aiohttp.ClientResponse, *, url: URL, limit: int) -> bytes:
    declared = response.content_length
    if declared is not None and declared > limit:
        raise ImageTooLargeError(url=str(url), limit=limit, received=declared)

    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise ImageTooLargeError(url=str(url), limit=limit, received=None)
    return bytes(body)


def _origin_key(url: URL) -> tuple[str, str, int | None]:
    return (url.scheme, (url.host or "").lower(), url.port)


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
