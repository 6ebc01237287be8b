"""DeepMind's knot schema, our shipped dataset, and a validating loader for either file.

Frame layout returned by ``load_dataset``: ``ID_COLUMNS`` (when known) + ``FEATURES`` + ``[TARGET]``,
one row per knot (n_rows x 21 for our file, n_rows x 18 for DeepMind's).
"""
from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pandas as pd

FEATURES: list[str] = [
    "chern_simons", "cusp_volume", "hyperbolic_adjoint_torsion_degree", "hyperbolic_torsion_degree",
    "injectivity_radius", "longitudinal_translation", "meridinal_translation_imag",
    "meridinal_translation_real", "short_geodesic_imag_part", "short_geodesic_real_part", "Symmetry_0",
    "Symmetry_D3", "Symmetry_D4", "Symmetry_D6", "Symmetry_D8", "Symmetry_Z/2 + Z/2", "volume",
]
TARGET = "signature"
ID_COLUMNS = ["name", "crossings", "mirror"]
# random-diagram file: the knot (a mirror pair shares knot_id and ukey, the unoriented isometry signature), the
# oriented knot (key, the oriented isometry signature) and the
# true torsion degrees where computed (-1: skipped because the zero rule stores 0, kanrepro.knots.zero_rule)
TRUE_DEGREES = ["true_hyperbolic_torsion_degree", "true_hyperbolic_adjoint_torsion_degree"]
RANDOM_ID_COLUMNS = ["knot_id", "key", "ukey"] + TRUE_DEGREES
DRAW_COLUMNS = ["draws", "draw_crossings"]  # compact layout: the row positions of each distinct oriented knot
INTEGER_FEATURES = ["hyperbolic_adjoint_torsion_degree", "hyperbolic_torsion_degree", "Symmetry_0",
                    "Symmetry_D3", "Symmetry_D4", "Symmetry_D6", "Symmetry_D8", "Symmetry_Z/2 + Z/2"]
ONE_HOT = [f for f in FEATURES if f.startswith("Symmetry_")]
DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_CENSUS_PATH = DATA_DIR / "knots_le13.csv.gz"  # every hyperbolic knot of at most 13 crossings + mirrors
DEFAULT_RANDOM_PATH = DATA_DIR / "knots_random.csv.gz"  # random-diagram knots, DeepMind's distribution
DATASETS = {"random": DEFAULT_RANDOM_PATH, "census": DEFAULT_CENSUS_PATH}  # named datasets (data_path="census")
DEFAULT_DATASET = "random"  # what the knot claims are judged on: DeepMind's distribution
DEFAULT_DATA_PATH = DATASETS[DEFAULT_DATASET]
MAX_REPORTED = 10  # bad rows listed per problem

# Plausible values per column, for knots of up to ~100 crossings (DeepMind's reach 18; their file's extremes,
# ../shared/reference/deepmind-distribution.md, sit far inside). A value outside is a corrupt row, refused
# before any training (one volume of 1e308 overflows the z-scoring and zeroes the whole column). Bounds:
# volume <= 10 v_tet (twists - 1) < 1000 (Agol-Thurston); cusp volume and |lambda| scale with it; mu is a
# cusp-translation of at most a few units; the geodesic's angle lies in [-pi, pi]; the Chern-Simons invariant
# is taken mod 1/2; torsion degrees are at most 4g - 2 <= 2c; |signature| <= 2g <= c - 1.
PLAUSIBLE: dict[str, tuple[float, float]] = {
    "volume": (0.0, 1000.0), "cusp_volume": (0.0, 1000.0), "longitudinal_translation": (-1000.0, 1000.0),
    "meridinal_translation_real": (-100.0, 100.0), "meridinal_translation_imag": (-100.0, 100.0),
    "injectivity_radius": (0.0, 100.0), "short_geodesic_real_part": (0.0, 100.0),
    "short_geodesic_imag_part": (-3.1416, 3.1416), "chern_simons": (-0.5, 0.5),
    "hyperbolic_torsion_degree": (0, 1000), "hyperbolic_adjoint_torsion_degree": (0, 1000),
}
MAX_ABS_SIGNATURE = 100  # |sigma| <= c - 1: a knot of ~100 crossings; beyond it a corrupt row (10^6 classes)
MIN_ROWS = 8  # DeepMind's split (75 / 12.5 / 12.5) needs a row in each part


def _rows(mask: pd.Series) -> str:
    bad = list(mask[mask].index[:MAX_REPORTED])
    more = int(mask.sum()) - len(bad)
    return f"{bad}" + (f" and {more} more" if more > 0 else "")


def validate_frame(frame: pd.DataFrame, source: str = "frame") -> pd.DataFrame:
    """Check header, types, finiteness, plausible ranges (:data:`PLAUSIBLE`), one-hot symmetry, even integer
    signatures within :data:`MAX_ABS_SIGNATURE`.

    Raises ``ValueError`` naming the bad column(s) and row(s) (0-based data row numbers).
    Returns the frame with columns in the fixed order and integer columns as int64.
    """
    problems: list[str] = []
    expected = set(FEATURES) | {TARGET}
    present = set(frame.columns)
    missing = sorted(expected - present)
    extra = sorted(present - expected - set(ID_COLUMNS) - set(RANDOM_ID_COLUMNS))
    if missing:
        problems.append(f"missing column(s) {missing}")
    if extra:
        problems.append(f"unexpected column(s) {extra}")
    if problems:
        raise ValueError(f"{source}: " + "; ".join(problems) + f". Expected exactly {FEATURES + [TARGET]}")
    out = frame.reset_index(drop=True).copy()
    for col in FEATURES + [TARGET]:
        values = pd.to_numeric(out[col], errors="coerce")
        bad = values.isna() | ~np.isfinite(values.astype(float))
        if bad.any():
            problems.append(f"column {col!r}: missing or non-numeric value(s) in row(s) {_rows(bad)}")
            continue
        if col in INTEGER_FEATURES or col == TARGET:
            frac = values != np.round(values)
            if frac.any():
                problems.append(f"column {col!r}: non-integer value(s) in row(s) {_rows(frac)}")
                continue
            values = values.astype(np.int64)
        out[col] = values
    if not problems:
        odd = out[TARGET] % 2 != 0
        if odd.any():
            problems.append(f"column {TARGET!r}: odd signature(s) in row(s) {_rows(odd)}")
        huge = out[TARGET].abs() > MAX_ABS_SIGNATURE
        if huge.any():
            problems.append(f"column {TARGET!r}: |signature| above {MAX_ABS_SIGNATURE} in row(s) {_rows(huge)}")
        for col, (low, high) in PLAUSIBLE.items():
            outside = (out[col] < low) | (out[col] > high)
            if outside.any():
                problems.append(f"column {col!r}: value(s) outside the plausible range [{low:g}, {high:g}] in "
                                f"row(s) {_rows(outside)}")
        not01 = ~out[ONE_HOT].isin([0, 1]).all(axis=1) | (out[ONE_HOT].sum(axis=1) > 1)
        if not01.any():
            problems.append(f"columns {ONE_HOT}: not a 0/1 one-hot in row(s) {_rows(not01)}")
    if problems:
        raise ValueError(f"{source}: " + "; ".join(problems))
    ids = [c for c in ID_COLUMNS + RANDOM_ID_COLUMNS if c in out.columns]
    return out[ids + FEATURES + [TARGET]]


def check_trainable(frame: pd.DataFrame, source: str) -> None:
    """Refuse data no split can train on: fewer than :data:`MIN_ROWS` rows or a single signature value."""
    classes = frame[TARGET].nunique()
    if len(frame) < MIN_ROWS or classes < 2:
        raise ValueError(f"{source}: {len(frame)} row(s) with {classes} signature value(s); training needs at least "
                         f"{MIN_ROWS} rows and 2 signature values")


def expand_draws(compact: pd.DataFrame) -> pd.DataFrame:
    """Compact layout (one line per distinct oriented knot, ``draws`` = its row positions) -> one row per
    draw, in draw order, ``crossings`` = that draw's diagram crossings. Raises ``ValueError`` when the
    positions are not exactly 0..n-1 once each."""
    positions = compact["draws"].astype(str).str.split()
    counts = positions.str.len().to_numpy()
    order = np.concatenate([np.asarray(p, dtype=np.int64) for p in positions])
    crossings = np.concatenate([np.asarray(c, dtype=np.int64)
                                for c in compact["draw_crossings"].astype(str).str.split()])
    if len(crossings) != len(order) or not np.array_equal(np.sort(order), np.arange(len(order))):
        raise ValueError("compact knot file: 'draws' must list every row position 0..n-1 exactly once, "
                         "with one 'draw_crossings' entry per position")
    full = compact.drop(columns=DRAW_COLUMNS).loc[np.repeat(compact.index.to_numpy(), counts)]
    full["crossings"] = crossings
    full.index = order
    full = full.sort_index()
    full["name"] = full["name"].fillna("")
    return full


def resolve_dataset(data_path: str | Path = "") -> tuple[Path, str]:
    """``data_path`` ('' = the default dataset, a name from ``DATASETS``, or a file) -> (path, dataset name)."""
    text = str(data_path)
    name = text or DEFAULT_DATASET
    if name in DATASETS:
        return DATASETS[name], name
    path = Path(text)
    if not path.is_file():
        raise ValueError(f"data_path {text!r} is neither a dataset name {sorted(DATASETS)} nor a file; give one of "
                         "those names, '' for the default, or a CSV in our format or DeepMind's")
    return path, path.name.split(".")[0]


def manifest_path(out: Path) -> Path:
    """``data/knots_le13.csv.gz -> data/knots_le13.manifest.json``."""
    return out.with_name(out.name.split(".")[0] + ".manifest.json")


def check_manifest(path: Path) -> None:
    """Refuse a data file whose manifest (when it has one) names another SHA-256: a build killed between
    writing the two, or a file edited by hand, must not pass as the described dataset."""
    import json

    from kanrepro.results import file_sha256

    manifest = manifest_path(path)
    if not manifest.exists():
        return
    try:
        expected = json.loads(manifest.read_text()).get("sha256")
    except json.JSONDecodeError as err:
        raise ValueError(f"{manifest}: not valid JSON ({err})") from None
    actual = file_sha256(path)
    if expected and expected != actual:
        raise ValueError(f"{path}: SHA-256 {actual[:12]}… does not match its manifest {manifest.name} "
                         f"({str(expected)[:12]}…); rebuild it or restore the matching pair")


def load_dataset(path: str | Path | None = None) -> pd.DataFrame:
    """Load our shipped dataset (default) or DeepMind's CSV (unnamed index column + 17 features +
    signature), validated. Returns ID columns (when present) + FEATURES + [TARGET]."""
    path = Path(path) if path is not None else DEFAULT_DATA_PATH
    if not path.exists():
        raise FileNotFoundError(f"no dataset at {path}")
    check_manifest(path)
    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise ValueError(f"{path}: the file is empty") from None
    except (EOFError, OSError, zlib.error, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise ValueError(f"{path}: not a readable CSV (truncated or corrupt: {err})") from None
    first = frame.columns[0]
    if first.startswith("Unnamed") or first == "":
        frame = frame.drop(columns=[first])  # DeepMind's unnamed index column
    if set(DRAW_COLUMNS) <= set(frame.columns):
        frame = expand_draws(frame)
    return validate_frame(frame, source=str(path))


def write_deepmind_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` in DeepMind's exact CSV layout: unnamed index, 17 features, signature."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame[FEATURES + [TARGET]].reset_index(drop=True).to_csv(path, index=True)
    return path
