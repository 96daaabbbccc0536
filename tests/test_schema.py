"""The declared data form of the estimators: complete, strict, and open to new fields."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from model import BinaryLogisticRegression, OneVsRestLogisticRegression, load_model
from model.base import BaseEstimator
from model.features import MnistFeatureMap
from model.schema import (
    SCHEMAS,
    Array,
    EstimatorSchema,
    Integer,
    Learned,
    Nullable,
    Param,
    Real,
    SchemaError,
    from_data,
    to_data,
)


@pytest.mark.parametrize("cls", [BinaryLogisticRegression, OneVsRestLogisticRegression, MnistFeatureMap])
def test_every_parameter_of_every_class_is_declared(cls):
    """A parameter added to __init__ without a declaration would silently not be checked on loading."""
    assert sorted(SCHEMAS[cls].params) == cls._param_names()


@pytest.mark.parametrize("kind", ["binary", "ovr"])
def test_every_learned_attribute_of_the_bundled_models_is_declared_and_round_trips(kind):
    clf = load_model(kind)
    data = to_data(clf)
    again = from_data(type(clf), data)
    X = np.random.default_rng(0).random((5, 784))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_a_model_with_read_only_arrays_saves_and_loads(tmp_path):
    """A model unpickled from a child process's pipe holds read-only views of the bytes received; it
    is saved as it is, and the model read back owns arrays it can change."""
    import pickle

    from model.store import build_metadata, dump_model_file

    clf = pickle.loads(pickle.dumps(load_model("ovr"), protocol=5))
    clf.coef_ = np.frombuffer(clf.coef_.tobytes(), dtype=clf.coef_.dtype).reshape(clf.coef_.shape)
    assert not clf.coef_.flags.writeable
    path = tmp_path / "ovr.joblib"
    dump_model_file(path, clf, build_metadata("ovr", clf))
    again = load_model("ovr", path, trusted=True)
    assert again.coef_.flags.writeable
    X = np.random.default_rng(0).random((5, 784))
    np.testing.assert_array_equal(again.predict_proba(X), clf.predict_proba(X))


def test_an_undeclared_learned_attribute_is_refused_when_saving():
    clf = load_model("binary")
    clf.gradient_scale_ = np.ones(3)
    with pytest.raises(SchemaError, match=r"does not declare \(gradient_scale_\)"):
        to_data(clf)


def _binary_data() -> dict:
    return copy.deepcopy(to_data(load_model("binary")))


def test_a_parameter_missing_from_an_older_file_gets_its_init_default():
    data = _binary_data()
    del data["params"]["momentum"]
    data["params"]["tol"] = 0.5
    clf = from_data(BinaryLogisticRegression, data)
    assert clf.momentum is True and clf.tol == 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["params"].update(brand_new=1), r"parameter this version does not know \(brand_new\)"),
        (lambda d: d["params"].update(alpha=float("nan")), "alpha must be a number"),
        (lambda d: d["params"].update(max_iter=True), "max_iter must be a whole number"),
        (lambda d: d["params"].update(learning_rate="fast"), "learning_rate must be"),
        (lambda d: d["learned"].update(coef_=np.zeros((1, 10))), "784 entries along axis 1, not 10"),
        (lambda d: d["learned"].update(coef_=np.zeros((1, 784), np.float32)), "array of float64"),
        (lambda d: d["learned"]["coef_"].__setitem__((0, 3), np.inf), "finite"),
        (lambda d: d["learned"].update(classes_=np.array([0, 11])), "at most 9"),
        (lambda d: d["learned"].pop("coef_"), "lacks its learned value coef_"),
        (lambda d: d.update({"class": "OneVsRestLogisticRegression"}), "must be a BinaryLogisticRegression"),
        (lambda d: d["learned"].update({"\n" * 10_000: 1}), r"does not know \(\?\)"),
    ],
)
def test_every_field_is_checked(change, message):
    data = _binary_data()
    change(data)
    with pytest.raises(SchemaError, match=message):
        from_data(BinaryLogisticRegression, data)


def test_shapes_are_checked_across_nested_estimators():
    model = load_model("ovr")
    data = copy.deepcopy(to_data(model))
    data["learned"]["coef_"] = np.zeros((10, 900), dtype=np.float32)
    with pytest.raises(SchemaError, match=f"{model.features_.n_features_out_} entries along axis 1, not 900"):
        from_data(OneVsRestLogisticRegression, data)
    data = copy.deepcopy(to_data(load_model("ovr")))
    data["learned"]["intercept_"] = np.zeros(9, dtype=np.float32)
    with pytest.raises(SchemaError, match="10 entries along axis 0, not 9"):
        from_data(OneVsRestLogisticRegression, data)


class _Toy(BaseEstimator):
    """A class as it looks after a new parameter and a new learned array were added."""

    def __init__(self, scale: float = 1.0, gradients: bool = True) -> None:
        self.scale = scale
        self.gradients = gradients


def test_a_new_field_is_one_declaration(monkeypatch):
    schema = EstimatorSchema(
        _Toy,
        params={"scale": Real(0, 10), "gradients": Param(Nullable(Integer(0, 1)), missing=None)},
        learned={
            "weights_": Array("float32", ("n",)),
            "gradient_scale_": Learned(Nullable(Array("float32", ("n",))), missing=None),
        },
    )
    monkeypatch.setitem(SCHEMAS, _Toy, schema)
    toy = _Toy(scale=2.0, gradients=1)
    toy.weights_ = np.ones(4, np.float32)
    toy.gradient_scale_ = np.full(4, 3, np.float32)
    again = from_data(_Toy, to_data(toy))
    assert again.gradients == 1 and again.gradient_scale_.tolist() == [3.0] * 4
    older = {"class": "_Toy", "params": {"scale": 2.0}, "learned": {"weights_": np.ones(4, np.float32)}}
    old = from_data(_Toy, older)
    assert old.gradients is None and old.gradient_scale_ is None  # the declared stand-ins, not defaults
    toy.gradient_scale_ = np.ones(5, np.float32)
    with pytest.raises(SchemaError, match="4 entries along axis 0, not 5"):
        to_data(toy)


def test_a_feature_map_must_make_the_features_it_declares():
    data = copy.deepcopy(to_data(load_model("ovr")))
    features = data["learned"]["features_"]["learned"]
    features["n_features_out_"] = 900
    features["scale_"] = np.ones(900, np.float32)
    features["scale_mean_"] = np.zeros(900, np.float32)
    data["learned"]["coef_"] = np.zeros((10, 900), np.float32)
    with pytest.raises(SchemaError, match="cannot make the 900 features it declares"):
        from_data(OneVsRestLogisticRegression, data)
