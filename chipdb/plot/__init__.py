"""The threshold map: plot data from plain inputs, drawn in the terminal or by matplotlib."""

from chipdb.plot.core import PlotData, collect, terminal, to_file

__all__ = ["PlotData", "collect", "terminal", "to_file"]
