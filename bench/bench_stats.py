"""What every bench report computes the same way: quantiles by linear
interpolation between closest ranks (as proxy_connect_bench does in C++), and
the summary of a sample. Imported by the *_report.py scripts of bench/."""


def quantile(values, q):
    """Linear interpolation between closest ranks; None for no values."""
    if not values:
        return None
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def stats(values):
    """n, median, p90, mean, min, max of the values that are not None."""
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0}
    return {"n": len(values), "median": quantile(values, 0.5), "p90": quantile(values, 0.9),
            "mean": sum(values) / len(values), "min": min(values), "max": max(values)}
