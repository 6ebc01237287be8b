"""The package's layers (docs/architecture.md): every import of kanrepro goes down the stack, modules stay small."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "kanrepro"
# layer -> the layers its modules may import (besides their own); top-level modules are the base layer
MAY_IMPORT = {
    "base": set(),
    "nn": set(),
    "rewrites": {"nn"},
    "knots": {"base"},
    "train": {"nn", "knots", "base"},
    "experiment": {"train", "nn", "knots", "base"},
    "pipeline": {"experiment", "train", "rewrites", "nn", "knots", "base"},
}
MAX_TOP_LEVEL_MODULES = 8
MAX_LINES = 330  # "about 300"


def layer_of(module: str) -> str:
    """'kanrepro.train.engine' -> 'train'; 'kanrepro.results' -> 'base'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (PACKAGE / parts[1]).is_dir() else "base"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every kanrepro module the file imports (``from kanrepro.x import y`` counts y if it is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("kanrepro.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "kanrepro":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                is_module = (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists() or (
                    PACKAGE.parent / candidate.replace(".", "/")).is_dir()
                found.add(candidate if is_module else node.module)
    return {m for m in found if m != "kanrepro"}


def test_every_import_goes_down_the_stack():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(module_name(path)) if path.parent != PACKAGE else "base"
        for target in imports_of(path):
            other = layer_of(target)
            if other != own and other not in MAY_IMPORT[own]:
                wrong.append(f"{module_name(path)} ({own}) imports {target} ({other})")
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


def test_every_subpackage_is_a_known_layer():
    subpackages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert subpackages == set(MAY_IMPORT) - {"base"}


def test_the_top_level_stays_small():
    top = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= MAX_TOP_LEVEL_MODULES, top


def test_no_module_is_long():
    long = {module_name(p): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, long


def test_the_rule_catches_an_upward_import(tmp_path):
    """The checker itself: a train module importing the pipeline is reported."""
    path = PACKAGE / "train" / "engine.py"
    assert "kanrepro.pipeline.run" not in imports_of(path)
    fake = tmp_path / "fake.py"
    fake.write_text("from kanrepro.pipeline import run\nfrom kanrepro.nn.models import KAN\n")
    assert imports_of(fake) == {"kanrepro.pipeline.run", "kanrepro.nn.models"}
    assert layer_of("kanrepro.pipeline.run") == "pipeline" and "pipeline" not in MAY_IMPORT["train"]
