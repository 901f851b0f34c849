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


def newcombe(x1, n1, x2, n2, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Newcombe's hybrid score interval for the difference of two independent shares p1 − p2.

    Method 10 of Newcombe (1998), built from the two Wilson intervals (l1, u1) and (l2, u2):
    low = d − sqrt((p1 − l1)² + (u2 − p2)²) and high = d + sqrt((u1 − p1)² + (p2 − l2)²), with
    d = p1 − p2. Same 0–1 scale as the shares; arrays in, arrays out; NaN where a denominator is zero.
    """
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    l1, u1 = wilson(x1, n1, z)
    l2, u2 = wilson(x2, n2, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        d = p1 - p2
        low = d - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
        high = d + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    ok = (n1 > 0) & (n2 > 0)
    return np.where(ok, low, np.nan), np.where(ok, high, np.nan)
