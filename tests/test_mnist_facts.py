"""The MNIST facts shipped beside the bundled models: current, readable, and refused when damaged."""

from __future__ import annotations

import numpy as np
import pytest

from model.mnist_facts import bundled_facts, compute_facts, read_facts


@pytest.mark.mnist
def test_the_shipped_facts_are_those_of_mnist(mnist):
    shipped = bundled_facts()
    fresh = compute_facts(mnist[0])
    np.testing.assert_allclose(shipped.mean_digit, fresh.mean_digit, atol=1 / 255 + 1e-9)
    assert (shipped.height, shipped.width, shipped.stroke, shipped.n_digits) == (
        fresh.height,
        fresh.width,
        fresh.stroke,
        fresh.n_digits,
    ), "assets/mnist-facts.json is stale: rerun python -m training.mnist_facts"


def test_facts_survive_a_round_trip_and_describe_a_digit(tmp_path):
    x = np.zeros((3, 28, 28), np.float32)
    x[:, 4:24, 12:15] = 1.0  # a bar 20 high and 3 wide
    facts = compute_facts(x.reshape(3, 784))
    assert facts.height == (20.0, 20.0, 20.0) and facts.width == (3.0, 3.0, 3.0)
    assert 2.0 < facts.stroke[1] < 4.0
    path = tmp_path / "facts.json"
    path.write_text(facts.to_json(), encoding="utf-8")
    again = read_facts(path)
    np.testing.assert_allclose(again.mean_digit, facts.mean_digit)
    assert again._replace(mean_digit=None) == facts._replace(mean_digit=None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '{"height": [1, 2, 3]}',
        '{"height": [], "width": [], "stroke": [], "n_digits": 1, "mean_digit": [1]}',
    ],
)
def test_a_damaged_facts_file_is_refused_in_one_sentence(tmp_path, text):
    path = tmp_path / "facts.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="does not hold MNIST's facts"):
        read_facts(path)
