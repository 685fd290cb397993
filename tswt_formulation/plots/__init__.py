"""Plots of outcomes: functions that take DataFrames and return matplotlib Figures.

Importing this package does not import matplotlib; each function imports it when
called and draws on a :class:`matplotlib.figure.Figure` of its own (never pyplot), so
no global state changes.
"""

from .change_categories import plot_change_categories
from .goals import plot_goals
from .outcomes import plot_informants, plot_trajectory

__all__ = ["plot_change_categories", "plot_goals", "plot_informants", "plot_trajectory"]
