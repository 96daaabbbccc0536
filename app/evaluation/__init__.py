"""Model > Evaluate…: how a model does on the MNIST test set and on the person's samples."""
