"""Pure-Python scheduling engines: no Django, integers for working time, frozen dataclasses."""
