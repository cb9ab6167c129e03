"""The threshold map: plot data built from plain inputs, drawn in the terminal or by matplotlib.

``data.build`` (fed by ``service.plot.plot_inputs``) -> ``terminal.terminal`` or
``image.to_file``. Nothing here reads the database or prints to stderr.
"""

from chipdb.plot.data import PlotData, build, skipped_note
from chipdb.plot.image import to_file
from chipdb.plot.terminal import terminal

__all__ = ["PlotData", "build", "skipped_note", "terminal", "to_file"]
