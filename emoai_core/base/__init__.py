"""The floor everything stands on: settings and every path under EMOAI_HOME, errors with exit codes,
progress events, atomic writes, Ctrl-C that waits for a write, quiet libraries, worker threads.

Imports nothing of emoai; everything here is cheap to import.
"""
