"""Everything that draws: the interactive study and quiz loops, Rich renderables for the one-shot
commands, charts and key input. It is handed what it draws; it never opens the database itself."""
