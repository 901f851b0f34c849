"""Deterministic, realistic demo data: every indicator × its levels, groups and years 2012–2024.

The generator works bottom-up so that every level is consistent: counts are drawn at the lowest
level the indicator has (DeSO, RegSO or kommun) and summed upwards, as a statistics office would
aggregate microdata. Areas carry a latent disadvantage score scaled so that the områdesutveckling set
sits at the profile's gap from the whole city; the gap moves linearly from `gap_start` to `gap_end`.
Sampling noise is binomial, so it grows as populations shrink. Every value is marked demo.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shb.core import paths, yamlfile
from shb.core.areas import BREAK_YEAR, MUNICIPALITY, Geography
from shb.core.catalog import UNIT_RANGES, Catalog, Indicator
from shb.core.stats import wilson
from shb.store.schema import OBS_COLUMNS

GENERATOR_VERSION = "demo-1"
YEARS = list(range(2012, 2025))
POPULATION_2021 = 114_091  # Borås folkmängd 2021 (boras.se)
SOURCE_SUPPRESS_BELOW = 10  # the demo "source" publishes no cell with fewer units than this


@dataclass(frozen=True)
class DemoData:
    observations: pd.DataFrame
    population: pd.DataFrame


def load_profiles(path: Path = paths.DEMO_PROFILE) -> dict[str, dict]:
    return yamlfile.load(path.read_text(encoding="utf-8"))["profiles"]


def _rng(*keys: object) -> np.random.Generator:
    """A generator seeded from stable keys, so adding an indicator never changes another's values."""
    return np.random.default_rng(zlib.crc32("|".join(map(str, keys)).encode()))


def _areas_base(geo: Geography, focus: set[str]) -> pd.DataFrame:
    """DeSO × year: population, latent disadvantage `s`, foreign-born share, education mix."""
    a = geo.areas
    deso = a[a.level == "deso"][["code", "parent_code"]].rename(columns={"parent_code": "regso"})
    regso = a[a.level == "regso"].set_index("code")
    rng = _rng("areas")
    n = len(deso)
    in_focus = deso.regso.isin(focus).to_numpy()
    urban = regso.loc[deso.regso, "tatort"].to_numpy()
    raw_s = np.where(in_focus, rng.normal(2.4, 0.35, n), np.where(urban, rng.normal(0.1, 0.6, n),
                                                                     rng.normal(-0.4, 0.35, n)))
    weight = np.where(in_focus, rng.uniform(1.2, 1.6, n), rng.uniform(0.55, 1.35, n))
    growth = np.where(urban, rng.normal(0.009, 0.004, n), rng.normal(0.004, 0.003, n))
    frames = []
    for year in YEARS:
        pop = weight * (1 + growth) ** (year - 2021)
        frames.append(pd.DataFrame({"deso": deso.code.to_numpy(), "regso": deso.regso.to_numpy(),
                                    "year": year, "pop_raw": pop, "s_raw": raw_s,
                                    "focus": in_focus}))
    base = pd.concat(frames, ignore_index=True)
    scale_2021 = POPULATION_2021 / base.loc[base.year == 2021, "pop_raw"].sum()
    base["pop"] = np.round(base.pop_raw * scale_2021).astype(int)
    # Centre s on the city (population-weighted) and scale so the focus set averages exactly 1.
    w21 = base[base.year == 2021]
    mean_all = np.average(w21.s_raw, weights=w21["pop"])
    mean_focus = np.average(w21.s_raw[w21.focus], weights=w21["pop"][w21.focus])
    base["s"] = (base.s_raw - mean_all) / (mean_focus - mean_all)
    base["foreign"] = np.clip(0.215 + 0.36 * base.s, 0.05, 0.85)
    base["low_edu"] = np.clip(0.11 + 0.12 * base.s, 0.03, 0.5)
    base["high_edu"] = np.clip(0.40 - 0.14 * base.s, 0.08, 0.75)
    return base.drop(columns=["pop_raw", "s_raw"])


def _to_level(base: pd.DataFrame, level: str) -> pd.DataFrame:
    """Aggregate the DeSO base to RegSO or kommun (population-weighted means of the scores)."""
    if level == "deso":
        return base.rename(columns={"deso": "area"})
    key = "regso" if level == "regso" else None
    b = base.assign(area=base[key] if key else MUNICIPALITY)
    cols = ["s", "foreign", "low_edu", "high_edu"]
    weighted = b[cols].mul(b["pop"], axis=0).assign(area=b.area, year=b.year, pop=b["pop"])
    out = weighted.groupby(["area", "year"], sort=True).sum().reset_index()
    out[cols] = out[cols].div(out["pop"], axis=0)
    return out


def _group_weights(dim: str, values: list[str], area: pd.DataFrame) -> np.ndarray:
    """Share of each group in each row's population: shape (rows, groups)."""
    n = len(area)
    if dim == "bakgrund":
        f = area.foreign.to_numpy()
        if "utlandsk_bakgrund" in values:
            f = np.clip(f * 1.3, 0.05, 0.92)
        w = {"inrikes_fodda": 1 - f, "svensk_bakgrund": 1 - f, "utrikes_fodda": f, "utlandsk_bakgrund": f}
        return np.column_stack([w[v] for v in values])
    if dim == "utbildning":
        low, high = area.low_edu.to_numpy(), area.high_edu.to_numpy()
        w = {"forgymnasial": low, "eftergymnasial": high, "gymnasial": 1 - low - high}
        return np.column_stack([w[v] for v in values])
    if dim == "kon":
        return np.column_stack([np.full(n, 0.49), np.full(n, 0.51)])[:, : len(values)]
    widths = np.array([int(v.split("-")[1]) - int(v.split("-")[0]) + 1 for v in values], dtype=float)
    return np.tile(widths / widths.sum(), (n, 1))


def _split_counts(rng, den, num, p, weights, offsets) -> tuple[list, list]:
    """Split totals into groups so the groups add up exactly to the total's counts."""
    k = weights.shape[1]
    dens, nums = [], []
    rem_den, rem_num, rem_w = den.copy(), num.copy(), np.ones(len(den))
    centred = offsets - (weights * offsets).sum(axis=1, keepdims=True)
    for i in range(k):
        if i == k - 1:
            dens.append(rem_den)
            nums.append(rem_num)
            break
        # Multinomial split of the denominator: small groups in small areas can be empty.
        d = rng.binomial(rem_den, np.clip(weights[:, i] / rem_w, 0, 1))
        rem_w = rem_w - weights[:, i]
        pg = np.clip(p + centred[:, i], 0.002, 0.998)
        drawn = rng.binomial(d, pg)
        lo = np.maximum(0, rem_num - (rem_den - d))
        x = np.clip(drawn, lo, np.minimum(rem_num, d))
        dens.append(d)
        nums.append(x)
        rem_den, rem_num = rem_den - d, rem_num - x
    return dens, nums


def _expected(ind: Indicator, prof: dict, area: pd.DataFrame, rng) -> np.ndarray:
    """Expected value per row: city trend + moving gap × the area's disadvantage (+ an area effect)."""
    t = (area.year.to_numpy() - YEARS[0]) / (YEARS[-1] - YEARS[0])
    city = prof["city_start"] + (prof["city_end"] - prof["city_start"]) * t
    gap = prof["gap_start"] + (prof["gap_end"] - prof["gap_start"]) * t
    codes, inverse = np.unique(area.area.to_numpy(), return_inverse=True)
    effect = rng.normal(0, 0.25, len(codes))[inverse]
    return city + gap * (area.s.to_numpy() + effect)


def _blocks_frame(area: pd.DataFrame, blocks: list[tuple], columns: tuple[str, ...]) -> pd.DataFrame:
    """One frame of blocks (group dimension, group value, then one array per column, a value per row of
    `area`), block after block: what concatenating a frame per block gives, built once."""
    n = len(area)
    out = {"area_code": np.tile(area.area.to_numpy(dtype=object), len(blocks)),
           "year": np.tile(area.year.to_numpy(), len(blocks)),
           "group_dim": np.repeat(np.array([b[0] for b in blocks], dtype=object), n),
           "group_value": np.repeat(np.array([b[1] for b in blocks], dtype=object), n)}
    for k, col in enumerate(columns, start=2):
        out[col] = np.concatenate([np.asarray(b[k]) for b in blocks])
    return pd.DataFrame(out).astype({"area_code": "str", "group_dim": "str", "group_value": "str"})


def _share_rows(ind: Indicator, prof: dict, area: pd.DataFrame, rng) -> pd.DataFrame:
    """Counts for a share or rate at its lowest level, total and per group."""
    scale = ind.scale
    v = _expected(ind, prof, area, rng) + rng.normal(0, abs(prof["city_end"]) * 0.01, len(area))
    p = np.clip(v / scale, 0.003, 0.997) if ind.kind == "share" else np.clip(v / scale, 0.0, None)
    den = rng.poisson(area["pop"].to_numpy() * prof["base_share"]).astype(np.int64)
    population = den.copy()
    if ind.survey:
        den = rng.binomial(den, prof["sample_share"])
    if ind.kind == "share":
        num = rng.binomial(den, p)
    else:
        num = rng.poisson(den * p)
    blocks = [("total", "alla", num, den, population)]
    for dim, values in ind.groups.items():
        weights = _group_weights(dim, values, area)
        offsets = np.array([prof["group_offsets"][dim][v] for v in values], dtype=float) / scale
        offsets = np.tile(offsets, (len(area), 1))
        if ind.kind == "rate":
            dens = [np.round(den * weights[:, i]).astype(np.int64) for i in range(len(values))]
            nums = [rng.poisson(d * np.clip(p + offsets[:, i], 0, None)) for i, d in enumerate(dens)]
        else:
            dens, nums = _split_counts(rng, den, num, p, weights, offsets)
        pops = [np.round(population * weights[:, i]).astype(np.int64) for i in range(len(values))]
        blocks += [(dim, value, x, d, pop) for value, d, x, pop in zip(values, dens, nums, pops)]
    return _blocks_frame(area, blocks, ("numerator", "denominator", "population"))


def _scalar_rows(ind: Indicator, prof: dict, area: pd.DataFrame, rng) -> pd.DataFrame:
    """Values for means, counts and codes (no numerator/denominator), total and per group."""
    v = _expected(ind, prof, area, rng) + rng.normal(0, prof.get("noise", 0) or 0, len(area))
    low, high = UNIT_RANGES[ind.unit][:2]  # an index stays within 0–100, as an import would demand
    v = np.clip(v, low, high)
    if ind.kind in ("count", "code"):
        v = np.maximum(np.round(v), 0)
    if ind.kind == "code":
        v = np.clip(v, 0, 2)
    blocks = [("total", "alla", v, area["pop"].to_numpy())]
    for dim, values in ind.groups.items():
        weights = _group_weights(dim, values, area)
        offsets = np.array([prof["group_offsets"][dim][x] for x in values], dtype=float)
        centred = offsets - (weights * offsets).sum(axis=1, keepdims=True)
        for i, value in enumerate(values):
            gv = v * weights[:, i] if ind.kind == "count" else v + centred[:, i]
            gv = np.clip(gv + rng.normal(0, (prof.get("noise", 0) or 0) * 0.5, len(area)), low, high)
            if ind.kind == "count":
                gv = np.maximum(np.round(gv), 0)
            blocks.append((dim, value, gv, np.round(area["pop"].to_numpy() * weights[:, i])))
    return _blocks_frame(area, blocks, ("value", "population"))


KEYS = ["indicator_id", "area_code", "year", "group_dim", "group_value"]


def _aggregate(rows: pd.DataFrame, mapping: dict[str, str] | None, kind: str) -> pd.DataFrame:
    """Sum counts (or weight means by population) from one level up to the next (`mapping` None: the rows
    already carry the parent's code), per indicator: `rows` holds indicators of one kind of value
    (counts with numerator and denominator, or `kind` "count", or means). Groups come in the order they
    first appear, so each indicator's rows come out as they would alone."""
    r = rows if mapping is None else rows.assign(area_code=rows.area_code.map(mapping)).dropna(subset=["area_code"])
    if "numerator" in r:
        return r.groupby(KEYS, sort=False)[["numerator", "denominator", "population"]].sum().reset_index()
    if kind == "count":
        return r.groupby(KEYS, sort=False)[["value", "population"]].sum().reset_index()
    r = r.assign(wv=r.value * r.population)
    g = r.groupby(KEYS, sort=False)[["wv", "population"]].sum().reset_index()
    return g.assign(value=g.wv / g.population).drop(columns="wv")


def _aggregate_districts(regso: pd.DataFrame, members: pd.DataFrame, kind: str) -> pd.DataFrame:
    """`_aggregate` of each district's RegSO, all districts in one pass: per indicator (in the order the
    indicators come), districts in code order, and in each the rows in the order their RegSO rows come
    (the same rows, in the same order, as one district at a time)."""
    pairs = members[["regso_code", "district_code"]].drop_duplicates()
    r = regso.merge(pairs, left_on="area_code", right_on="regso_code", how="inner")
    order = np.lexsort((r.district_code.to_numpy(dtype=object), r.ind_pos.to_numpy()))  # stable
    r = r.iloc[order].assign(area_code=lambda x: x.district_code)
    return _aggregate(r.drop(columns=["regso_code", "district_code"]), None, kind)


def _level_maps(geo: Geography) -> dict[str, dict[str, str]]:
    a = geo.areas
    deso = a[a.level == "deso"]
    return {
        "regso": dict(zip(deso.code, deso.parent_code)),
        "municipality": {c: MUNICIPALITY for c in geo.codes("regso")},
    }


LEVEL_ORDER = {"deso": 0, "regso": 1, "district": 2, "municipality": 3}


def _family(ind: Indicator) -> str:
    """Indicators whose rows aggregate alike: counts (numerator and denominator), sums, means."""
    return "counts" if ind.kind in ("share", "rate") else ("count" if ind.kind == "count" else "mean")


def _all_levels(inds: list[Indicator], rows: pd.DataFrame, geo: Geography,
                maps: dict[str, dict[str, str]] | None = None) -> pd.DataFrame:
    """Rows for each indicator's lowest level and every level above it, for many indicators at once:
    `rows` are the lowest level's rows of indicators of one family (`_family`), with `indicator_id` and
    `ind_pos` (the indicator's place in `inds`). Out: per indicator in order, its levels from the lowest
    up, each level's rows as `_aggregate` gives them."""
    maps = maps if maps is not None else _level_maps(geo)
    kind = inds[0].kind
    lowest = np.array([LEVEL_ORDER[i.lowest_level] for i in inds])
    pos = rows.ind_pos.to_numpy()
    out = [rows.assign(level=np.array([i.lowest_level for i in inds], dtype=object)[pos])]
    deso = rows[lowest[pos] == LEVEL_ORDER["deso"]]
    regso = rows[lowest[pos] == LEVEL_ORDER["regso"]]
    if len(deso):
        up = _aggregate(deso, maps["regso"], kind)
        up["ind_pos"] = up.indicator_id.map({i.id: n for n, i in enumerate(inds)}).to_numpy()
        out.append(up.assign(level="regso"))
        regso = pd.concat([regso, up], ignore_index=True)
    if len(regso):
        place = {i.id: n for n, i in enumerate(inds)}
        regso = regso.iloc[np.argsort(regso.ind_pos.to_numpy(), kind="stable")]
        for level, part in (("district", _aggregate_districts(regso, geo.district_members, kind)),
                            ("municipality", _aggregate(regso, maps["municipality"], kind))):
            out.append(part.assign(level=level, ind_pos=part.indicator_id.map(place).to_numpy()))
    r = pd.concat(out, ignore_index=True)
    order = np.lexsort((r.level.map(LEVEL_ORDER).to_numpy(), r.ind_pos.to_numpy()))  # stable
    return r.iloc[order].reset_index(drop=True)


def _statuses(inds: list[Indicator], profs: list[dict], rows: pd.DataFrame, rngs: list) -> pd.DataFrame:
    """Values from counts, then the source's own suppression, not-applicable cells and gaps, for many
    indicators at once (rows grouped by `ind_pos`, in order). The random gaps are drawn per indicator
    from its own generator (`rngs`), as for one indicator alone; everything else is whole columns."""
    r = rows.reset_index(drop=True)
    pos = r.ind_pos.to_numpy()
    n = len(r)
    counted = np.array([i.kind in ("share", "rate") for i in inds])[pos]
    survey = np.array([bool(i.survey) for i in inds])[pos]
    value = r["value"].to_numpy(dtype=float) if "value" in r else np.full(n, np.nan)
    ci_low, ci_high = np.full(n, np.nan), np.full(n, np.nan)
    status = np.full(n, "ok", dtype=object)
    if "numerator" in r:
        scale = np.array([i.scale if i.kind in ("share", "rate") else np.nan for i in inds], dtype=float)[pos]
        num, den = r.numerator.to_numpy(dtype=float), r.denominator.to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(counted, np.where(den > 0, scale * num / den, np.nan), value)
        low, high = wilson(num, den)
        ci_low, ci_high = np.where(survey, low * scale, np.nan), np.where(survey, high * scale, np.nan)
        status[counted] = np.where(den == 0, "not_applicable",
                                   np.where(den < SOURCE_SUPPRESS_BELOW, "suppressed", "ok"))[counted]
    else:
        num = den = np.full(n, np.nan)
    year, lower = r.year.to_numpy(), r.level.isin(["regso", "deso"]).to_numpy()
    bounds = np.searchsorted(pos, np.arange(len(inds) + 1))
    for k, (ind, rng) in enumerate(zip(inds, rngs, strict=True)):
        part = slice(bounds[k], bounds[k + 1])
        years = sorted(np.unique(year[part]))
        if len(years) > 4 and rng.random() < 0.4:  # a year the source did not deliver
            status[part][year[part] == years[int(rng.integers(1, len(years) - 1))]] = "missing"
        if ind.survey:  # some areas without enough answers to publish
            status[part][lower[part] & (rng.random(bounds[k + 1] - bounds[k]) < 0.03)] = "missing"
    hidden = status != "ok"
    unpublished = (status == "suppressed") | (status == "missing")
    value, ci_low, ci_high = (np.where(hidden, np.nan, v) for v in (value, ci_low, ci_high))
    decimals = np.array([int(p.get("decimals", 1)) + 1 for p in profs])[pos]
    for d in np.unique(decimals):
        value[decimals == d] = np.round(value[decimals == d], d)
    return r.assign(value=value, ci_low=ci_low, ci_high=ci_high, status=status,
                    numerator=np.where(unpublished, np.nan, num), denominator=np.where(unpublished, np.nan, den))


def _indicator_years(ind: Indicator, prof: dict) -> list[int]:
    first = int(prof.get("first_year", YEARS[0]))
    years = [y for y in YEARS if y >= first]
    if ind.frequency == "biennial":  # surveys every second year, the latest in the last year
        years = [y for y in years if (y - years[-1]) % 2 == 0]
    elif ind.frequency == "irregular":  # e.g. elections: every fourth year from the first
        years = [y for y in years if (y - first) % 4 == 0]
    return years


def _changed_areas(geo: Geography) -> set[str]:
    """RegSO whose borders changed in 2025, and the districts containing them."""
    a = geo.areas
    changed = set(a.loc[(a.level == "regso") & a.border_changed_2025, "code"])
    dm = geo.district_members
    return changed | set(dm.loc[dm.regso_code.isin(changed), "district_code"])


def _series_breaks(obs: pd.DataFrame, geo: Geography, changed: set[str] | None = None) -> np.ndarray:
    """Rows on RegSO (and districts containing them) whose borders changed in 2025 (`changed`:
    `_changed_areas(geo)`)."""
    changed = changed if changed is not None else _changed_areas(geo)
    return ((obs.year == BREAK_YEAR) & obs.area_code.isin(changed)).to_numpy()


@dataclass(frozen=True)
class _Shared:
    """What every indicator's generation reads the same: the base per level, the level maps and the
    areas with a series break (computed once per build, not once per indicator)."""

    levels: dict[str, pd.DataFrame]
    maps: dict[str, dict[str, str]]
    changed: set[str]


def _shared(base: pd.DataFrame, geo: Geography, levels: set[str]) -> _Shared:
    return _Shared({lvl: _to_level(base, lvl) for lvl in levels}, _level_maps(geo), _changed_areas(geo))


def _lowest_rows(ind: Indicator, prof: dict, shared: _Shared, rng) -> pd.DataFrame:
    """The indicator's rows at its lowest level, total and per group."""
    area = shared.levels[ind.lowest_level]
    area = area[area.year.isin(_indicator_years(ind, prof))].reset_index(drop=True)
    return _share_rows(ind, prof, area, rng) if ind.kind in ("share", "rate") else _scalar_rows(ind, prof, area, rng)


def _observations(inds: list[Indicator], profiles: dict[str, dict], geo: Geography, shared: _Shared) -> pd.DataFrame:
    """All demo rows of `inds`, in their order. Each indicator draws from its own generator, in the same
    order as alone (its rows, then its gaps); the levels above the lowest and the statuses are worked out
    for all indicators of a family at once."""
    rngs = [_rng("indicator", ind.id) for ind in inds]
    lowest = [_lowest_rows(ind, profiles[ind.id], shared, rng).assign(indicator_id=ind.id, ind_pos=n)
              for n, (ind, rng) in enumerate(zip(inds, rngs, strict=True))]
    parts = []
    for family in ("counts", "count", "mean"):
        chosen = [n for n, ind in enumerate(inds) if _family(ind) == family]
        if not chosen:
            continue
        fam = [inds[n] for n in chosen]
        rows = pd.concat([lowest[n].assign(ind_pos=k) for k, n in enumerate(chosen)], ignore_index=True)
        done = _statuses(fam, [profiles[i.id] for i in fam], _all_levels(fam, rows, geo, shared.maps),
                         [rngs[n] for n in chosen])
        parts.append(done.assign(ind_pos=np.array(chosen)[done.ind_pos.to_numpy()]))
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.iloc[np.argsort(rows.ind_pos.to_numpy(), kind="stable")].reset_index(drop=True)
    rows["series_break"] = _series_breaks(rows, geo, shared.changed)
    return rows.drop(columns="ind_pos")


def indicator_observations(ind: Indicator, prof: dict, base: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """All demo rows for one indicator (the same rows as in `build_demo`)."""
    return _observations([ind], {ind.id: prof}, geo, _shared(base, geo, {ind.lowest_level}))


def build_demo(cat: Catalog, geo: Geography, profiles: dict[str, dict] | None = None) -> DemoData:
    """Generate the full demo dataset; the same code and inputs always give the same values."""
    profiles = profiles if profiles is not None else load_profiles()
    missing = [i.id for i in cat.indicators if i.id not in profiles]
    if missing:
        raise ValueError(f"Demoprofil saknas för: {', '.join(missing)}")
    focus = set(geo.area_set(geo.default_set).members)
    base = _areas_base(geo, focus)
    shared = _shared(base, geo, {ind.lowest_level for ind in cat.indicators})
    obs = _observations(list(cat.indicators), profiles, geo, shared)
    obs["is_demo"] = True
    obs["source_version"] = GENERATOR_VERSION
    for col in ("numerator", "denominator", "population"):
        obs[col] = obs[col].astype("Int64")
    return DemoData(observations=obs[OBS_COLUMNS], population=_population(base, geo))


def _population(base: pd.DataFrame, geo: Geography) -> pd.DataFrame:
    """Population and foreign-born counts per area and year, at every level."""
    b = base.assign(foreign_born=np.round(base["pop"] * base.foreign).astype(int))
    deso = b.rename(columns={"deso": "area_code"})[["area_code", "year", "pop", "foreign_born"]]
    regso = b.groupby(["regso", "year"])[["pop", "foreign_born"]].sum().reset_index().rename(
        columns={"regso": "area_code"})
    dm = geo.district_members
    district = regso.merge(dm, left_on="area_code", right_on="regso_code").groupby(
        ["district_code", "year"])[["pop", "foreign_born"]].sum().reset_index().rename(
        columns={"district_code": "area_code"})
    city = regso.groupby("year")[["pop", "foreign_born"]].sum().reset_index().assign(area_code=MUNICIPALITY)
    out = pd.concat([city, district, regso, deso], ignore_index=True)
    return out.rename(columns={"pop": "population"})[["area_code", "year", "population", "foreign_born"]]
