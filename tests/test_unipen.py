"""The pen data files: read as written, and a damaged file named by its line, never read differently."""

from __future__ import annotations

import numpy as np
import pytest

from training.pendigits import load_pendigits
from training.uji import parse_uji_file

PENDIGITS = """.INCLUDE dene.doc
.LEXICON "0" "1"
.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 12 224
.PEN_DOWN
 10 100
 60 100
.PEN_UP
.DT 100
.PEN_DOWN
 60 100
 30 20
.PEN_UP
.SEGMENT DIGIT 1 ? "1"
.COMMENT 1 3 5
.PEN_DOWN
 5 5
.PEN_UP
"""


def test_pendigits_are_read_with_their_writer_and_y_pointing_down(tmp_path):
    path = tmp_path / "pendigits-orig.tra"
    path.write_text(PENDIGITS)
    seven, one = load_pendigits(tmp_path)
    assert (seven.writer, seven.label, one.writer, one.label) == ("p12", "7", "p03", "1")
    assert len(seven.strokes) == 2
    np.testing.assert_array_equal(seven.strokes[1], [[60, -100], [30, -20]])  # the stem goes down-left


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.replace(" 60 100\n.PEN_UP", " 60 100 3\n.PEN_UP", 1), "expected 'x y'"),
        (lambda t: t.replace(" 30 20", " 30 twenty"), "expected numbers"),
        (lambda t: t.replace(".COMMENT 7 12 224\n", ""), "COMMENT"),
        (lambda t: t.replace(".COMMENT 7 12", ".COMMENT 4 12"), "COMMENT"),
        (lambda t: t.replace('"1"', "1"), "malformed .SEGMENT"),
        (lambda t: t.rsplit(".PEN_UP", 1)[0], "ends inside a stroke"),
        (lambda t: t.replace(".DT 100\n.PEN_DOWN", ".PEN_UP"), ".PEN_UP without .PEN_DOWN"),
    ],
    ids=[
        "three numbers",
        "not a number",
        "no comment",
        "comment of another digit",
        "bad segment",
        "cut off",
        "up without down",
    ],
)
def test_a_damaged_file_is_refused_naming_where(tmp_path, change, message):
    path = tmp_path / "pendigits-orig.tra"
    path.write_text(change(PENDIGITS))
    with pytest.raises(ValueError, match=message) as raised:
        load_pendigits(path)
    assert str(raised.value).startswith("pendigits-orig.tra")


def test_uji_files_keep_every_character(tmp_path):
    path = tmp_path / "UJIpenchars-w07"
    path.write_text(
        '.SEGMENT CHARACTER 0 ? "a"\n.PEN_DOWN\n1 2\n3 4\n.PEN_UP\n'
        '.SEGMENT CHARACTER 1 ? "9"\n.PEN_DOWN\n5 6\n.PEN_UP\n.PEN_DOWN\n7 8\n.PEN_UP\n'
    )
    a, nine = parse_uji_file(path)
    assert (a.writer, a.label, nine.label, len(nine.strokes)) == ("w07", "a", "9", 2)
    np.testing.assert_array_equal(a.strokes[0], [[1, 2], [3, 4]])  # UJI's y already points down
