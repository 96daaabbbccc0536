"""Bundled resources: the pre-trained models and icons shipped with Digit Canvas.

``screenshots/`` holds the README's pictures; it is left out of the wheel and the bundle.
"""
