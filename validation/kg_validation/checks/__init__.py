"""The portal's own frictionless checks, one per module (``type = "kg-..."``)."""

from .inn import kg_inn
from .mixed_script import kg_mixed_script
from .phone import kg_phone
from .region_code import kg_region_code

__all__ = ["kg_inn", "kg_mixed_script", "kg_phone", "kg_region_code"]
