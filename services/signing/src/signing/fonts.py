"""The fonts documents are drawn with, and `python -m signing.fonts SOURCE TARGET`, which cuts them.

DejaVu Serif carries 3,500 glyphs, of which the scripts documents are written in need half; fpdf2 parses the
whole font for every document it draws, so signing draws with a copy cut to those scripts
(`signing.forms.layout.font_directory`, which runs this module in a child process at start).
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONT_FILES = {"": "DejaVuSerif.ttf", "B": "DejaVuSerif-Bold.ttf", "I": "DejaVuSerif-Italic.ttf"}
# What documents are written in: Latin with Vietnamese (and its combining tones), Greek and Cyrillic (names of
# foreigners), punctuation, currency (₫), letterlike symbols (№), arrows, mathematical operators, shapes, dingbats.
SCRIPTS = ((0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF), (0x1E00, 0x1EFF),
           (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F), (0x2190, 0x21FF), (0x2200, 0x22FF),
           (0x25A0, 0x25FF), (0x2600, 0x26FF), (0x2700, 0x27BF))


def cut_fonts(source: Path, target: Path) -> None:
    """Write each of FONT_FILES from `source` into `target`, cut to the scripts of SCRIPTS."""
    codepoints = [code for first, last in SCRIPTS for code in range(first, last + 1)]
    for name in FONT_FILES.values():
        _cut(source / name, target / name, codepoints)


def _cut(source: Path, target: Path, codepoints: list[int]) -> None:
    """Write the font keeping only the glyphs of the codepoints, deterministically."""
    options = subset.Options()
    options.layout_features = []  # fpdf2 drops the layout tables: no alternates or ligatures to keep
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    options.recalc_timestamp = False
    options.drop_tables += ["FFTM"]
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    font.save(target)


if __name__ == "__main__":
    cut_fonts(Path(sys.argv[1]), Path(sys.argv[2]))
