"""The people's side of dreambot: chat adapters, the job store, quotas, the gallery and the CLI."""
