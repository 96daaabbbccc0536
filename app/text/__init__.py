"""How the app words things: numbers, model names and errors, each written in one place.

Plain functions without Qt; nothing here imports another part of the app, so every part may use it.
"""
