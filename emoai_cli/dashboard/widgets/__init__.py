"""The dashboard's panes and screens."""
