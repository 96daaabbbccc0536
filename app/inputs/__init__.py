"""View > What the model sees: the drawing on its way to the model, step by step, beside MNIST."""

from app.boot.session import prepare

prepare()  # before any Qt here: numpy first, then Qt and its refcount guard (see app.boot.session)
