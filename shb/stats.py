"""Small statistical helpers shared by the data builders and the measures."""

from __future__ import annotations

import numpy as np

Z95 = 1.959963984540054


def wilson(numerator, denominator, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a share, in the same 0–1 scale as numerator/denominator.

    Arrays in, arrays out; rows with a denominator of zero give NaN.
    """
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = np.where(n > 0, centre - half, np.nan)
    high = np.where(n > 0, centre + half, np.nan)
    return low, high
