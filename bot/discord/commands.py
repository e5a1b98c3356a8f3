"""The application commands: ``/dream``, ``/dream-quota``, ``/dream-gallery``, ``/dream-settings``
and the message context menu "Dream this image".

The commands only read their options and hand over to the adapter; autocomplete reads the
network registry (models, layers, ImageNet classes), at most 25 choices as Discord allows.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from bot import grammar, messages
from engine.errors import BadInput
from engine.options import DEFAULT_MODEL, Mode

if TYPE_CHECKING:
    from bot.discord.adapter import DiscordAdapter

_log = logging.getLogger(__name__)

MAX_CHOICES = 25
_SEED_MAX = 2**31 - 1

Choice = app_commands.Choice
Interaction = discord.Interaction[Any]


def install(tree: app_commands.CommandTree[Any], adapter: DiscordAdapter) -> None:
    """Add every command of the adapter to ``tree`` (before it is synced)."""
    for command in (
        _dream(adapter),
        _quota(adapter),
        _gallery(adapter),
        _settings(adapter),
        _dream_this_image(adapter),
    ):
        tree.add_command(command, override=True)


def _dream(adapter: DiscordAdapter) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="dream", description="Dream a picture with an ImageNet network.")
    @app_commands.describe(
        image="the picture to dream",
        url="a link to the picture, instead of attaching it",
        model="the network that dreams",
        layer="the layer whose patterns are pushed (shallow: strokes, deep: eyes and animals)",
        dream_of="an ImageNet class to dream of, such as banana",
        strength="how hard the dream pushes",
        octaves="how many scales are dreamt, 1 to 8",
        size="the longest side of the result, in pixels",
        seed="the same seed and options give the same dream",
        mode="a dream of the picture, from noise, a layer sweep, or a zoom animation",
        share_original="show your original picture beside the dream in the gallery",
    )
    @app_commands.choices(
        strength=[Choice(name=name, value=name) for name in grammar.STRENGTHS],
        mode=[Choice(name=_mode_title(mode), value=mode.value) for mode in Mode],
    )
    @app_commands.autocomplete(model=_models, layer=_layers, dream_of=_classes)
    @app_commands.guild_only()
    async def dream(  # noqa: PLR0917 - discord.py reads the options from the parameters
        interaction: Interaction,
        image: discord.Attachment | None = None,
        url: str | None = None,
        model: str | None = None,
        layer: str | None = None,
        dream_of: str | None = None,
        strength: str | None = None,
        octaves: app_commands.Range[int, 1, 8] | None = None,
        size: app_commands.Range[int, 64, 4096] | None = None,
        seed: app_commands.Range[int, 0, _SEED_MAX] | None = None,
        mode: str | None = None,
        share_original: bool = False,
    ) -> None:
        fields = {
            "model": model,
            "layer": layer,
            "dream_of": dream_of,
            "strength": strength,
            "octaves": octaves,
            "size": size,
            "seed": seed,
            "mode": mode,
        }
        await adapter.dream_command(
            interaction, image=image, url=url, fields=fields, share_original=share_original
        )

    return dream


def _dream_this_image(adapter: DiscordAdapter) -> app_commands.ContextMenu:
    async def dream_this_image(interaction: Interaction, message: discord.Message) -> None:
        await adapter.dream_message(interaction, message)

    menu = app_commands.ContextMenu(name="Dream this image", callback=dream_this_image)
    menu.guild_only = True
    return menu


def _quota(adapter: DiscordAdapter) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(name="dream-quota", description="How many dreams you have left today.")
    @app_commands.guild_only()
    async def dream_quota(interaction: Interaction) -> None:
        from bot.discord.adapter import requester_of

        quota = await adapter.service.quota(requester_of(interaction))
        use = quota.user_daily
        if use.resets_at is None:
            text = messages.quota_unlimited()
        else:
            text = messages.quota_left(use.left, use.limit, use.resets_at)
        await interaction.response.send_message(text, ephemeral=True)

    return dream_quota


def _gallery(adapter: DiscordAdapter) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(
        name="dream-gallery", description="The latest dreams of this server and its gallery."
    )
    @app_commands.guild_only()
    async def dream_gallery(interaction: Interaction) -> None:
        from bot.discord.adapter import requester_of
        from bot.gallery.links import dream_link, gallery_link

        requester = requester_of(interaction)
        if requester.community is None:
            return
        community = await adapter.service.community_settings(requester.community)
        recent = await adapter.service.recent(requester.community, limit=5)
        settings = adapter.service.settings
        entries = [
            (job.requester.display_name, dream_link(settings, community, job.id)) for job in recent
        ]
        text = messages.gallery_summary(gallery_link(settings, community), entries)
        await interaction.response.send_message(text, ephemeral=True)

    return dream_gallery


def _settings(adapter: DiscordAdapter) -> app_commands.Command[Any, ..., None]:
    @app_commands.command(
        name="dream-settings", description="Change how this server dreams (admins only)."
    )
    @app_commands.describe(
        trigger_emoji="reacting with this emoji to a picture dreams it",
        user_daily="dreams per person per day",
        community_daily="dreams for the whole server per day",
        allowed_channels="channels where dreaming is allowed: #mentions, 'here' or 'all'",
        gallery_public="whether the gallery page is public",
        default_model="the network used when none is chosen",
        default_layer="the layer used when none is chosen",
        max_size="the largest result side, in pixels",
    )
    @app_commands.autocomplete(default_model=_models, default_layer=_layers)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def dream_settings(  # noqa: PLR0917 - discord.py reads the options from the parameters
        interaction: Interaction,
        trigger_emoji: str | None = None,
        user_daily: app_commands.Range[int, 1, 100_000] | None = None,
        community_daily: app_commands.Range[int, 1, 1_000_000] | None = None,
        allowed_channels: str | None = None,
        gallery_public: bool | None = None,
        default_model: str | None = None,
        default_layer: str | None = None,
        max_size: app_commands.Range[int, 64, 4096] | None = None,
    ) -> None:
        from bot.discord.adapter import requester_of

        requester = requester_of(interaction)
        if not requester.is_admin or requester.community is None:
            await interaction.response.send_message(messages.admins_only(), ephemeral=True)
            return
        given = {
            "trigger_emoji": trigger_emoji,
            "user_daily": user_daily,
            "community_daily": community_daily,
            "gallery_public": gallery_public,
            "default_model": default_model,
            "default_layer": default_layer,
            "max_size": max_size,
        }
        changes: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
        try:
            if allowed_channels is not None:
                changes["allowed_channels"] = _channels(allowed_channels, interaction.channel_id)
            await adapter.service.update_community_settings(requester.community, changes)
        except BadInput as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        listed = [f"{name} = {value}" for name, value in changes.items()]
        await interaction.response.send_message(messages.settings_saved(listed), ephemeral=True)

    return dream_settings


def _channels(text: str, current: int | None) -> list[str]:
    """Channel ids from ``<#123> <#456>``, ``here`` (this channel) or ``all`` (none listed)."""
    words = text.replace(",", " ").split()
    if [w.lower() for w in words] == ["all"]:
        return []
    channels = []
    for word in words:
        if word.lower() == "here" and current is not None:
            channels.append(str(current))
        else:
            digits = word.strip("<#>")
            if not digits.isdigit():
                raise_text = messages.bad_option("channel", word, "a #channel, here or all")
                raise BadInput(raise_text)
            channels.append(digits)
    return channels


# -- autocomplete ----------------------------------------------------------------------------


async def _models(interaction: Interaction, current: str) -> list[Choice[str]]:
    from engine.networks.registry import NETWORKS

    return _matching(NETWORKS, current)


async def _layers(interaction: Interaction, current: str) -> list[Choice[str]]:
    from engine.networks.registry import get_network_spec

    model = getattr(interaction.namespace, "model", None) or DEFAULT_MODEL
    try:
        spec = get_network_spec(model)
    except BadInput:
        return []
    return _matching(spec.layer_names, current)


async def _classes(interaction: Interaction, current: str) -> list[Choice[str]]:
    from engine.networks.registry import get_network_spec

    model = getattr(interaction.namespace, "model", None) or DEFAULT_MODEL
    try:
        spec = get_network_spec(model)
    except BadInput:
        return []
    return _matching(spec.categories, current)


def _matching(names: Any, current: str) -> list[Choice[str]]:
    typed = current.strip().lower()
    starts = [n for n in names if n.lower().startswith(typed)]
    contains = [n for n in names if typed in n.lower() and n not in starts]
    return [Choice(name=n[:100], value=n[:100]) for n in (starts + contains)[:MAX_CHOICES]]


def _mode_title(mode: Mode) -> str:
    return {
        Mode.DREAM: "dream the picture",
        Mode.NOISE: "dream from noise",
        Mode.SWEEP: "layer sweep",
        Mode.ZOOM: "zoom animation",
    }[mode]
