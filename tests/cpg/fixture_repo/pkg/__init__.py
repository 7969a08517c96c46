"""A fixture package covering every CPG node and edge kind."""
from .mod import Shape, make_shape
from . import util as helpers

__all__ = ["Shape", "make_shape", "helpers"]
