"""The model's architecture: a small decoder-only transformer (example stand-in)."""


class TinyStoriesModel:
    def __init__(self, layers: int = 4, heads: int = 4, dim: int = 256) -> None:
        self.layers, self.heads, self.dim = layers, heads, dim

    def parameters(self) -> int:
        return self.layers * 12 * self.dim * self.dim
