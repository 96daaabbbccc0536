"""Samples > My samples…: the gallery of the drawings the person taught."""
