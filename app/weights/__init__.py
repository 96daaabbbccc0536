"""Model > Show weights: each class's pixel weights as a heat map."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
