"""The main window, the controllers that extend it, and the one function that puts them together."""
