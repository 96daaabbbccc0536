"""View > What the model sees: the drawing on its way to the model, step by step, beside MNIST."""
