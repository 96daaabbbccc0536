"""Model > Retrain…: the dialog and the job that runs :mod:`training.retrain` off the GUI thread."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
