"""The community gallery web site and the operator's try-it page, served by ``dreambot serve``.

:func:`create_app` builds the aiohttp application over a
:class:`~bot.store.service.DreamService`; :mod:`bot.gallery.serve` runs it; the links the chat
adapters post (a gallery, a dream, a signed removal link) come from :mod:`bot.gallery.links`.
"""

from bot.gallery.app import create_app
from bot.gallery.links import dream_link, gallery_link, removal_link
from bot.gallery.site import GalleryConfig

__all__ = ["GalleryConfig", "create_app", "dream_link", "gallery_link", "removal_link"]
