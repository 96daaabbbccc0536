"""Model > Retrain…: the dialog and the job that runs :mod:`training.retrain` off the GUI thread."""
