"""emoai command line: typer commands, rich rendering and the Textual dashboard."""
