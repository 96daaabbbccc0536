"""Model > Show weights: each class's pixel weights as a heat map."""
