"""The Discord adapter: ``/dream`` and its companions, "Dream this image", the reaction trigger.

Built on discord.py's :class:`~discord.AutoShardedClient` and application commands. The
adapter submits dreams through :class:`bot.store.service.DreamService`, follows them with
throttled progress edits, and delivers each finished dream exactly once, even when several
adapter processes share one database. :mod:`bot.discord.serve` is what ``dreambot serve``
starts when a token is configured.
"""
