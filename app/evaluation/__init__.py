"""Model > Evaluate…: how a model does on the MNIST test set and on the person's samples."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
