"""Bundled resources: the pre-trained models and icons shipped with Digit Canvas."""
