"""The services behind the commands: statistics, doctor, settings and the progress file. They
combine the store, the decks and the core; the CLI calls them and the UI draws what they return."""
