"""dreambot in Slack: ``/dream``, the "Dream this image" shortcut, a reaction trigger, threads.

The adapter runs on slack-bolt's :class:`~slack_bolt.async_app.AsyncApp`, over HTTP (signed
requests to ``/slack/events``) or Socket Mode, for one workspace (a bot token) or many (OAuth
installs kept in the database). :mod:`bot.slack.serve` starts it from ``dreambot serve``.
"""
