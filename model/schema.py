"""The data form of the estimators: what a model file holds, declared once per class.

A model file never pickles an estimator object. It holds, for each estimator, a plain dict::

    {"class": "OneVsRestLogisticRegression",
     "params": {"alpha": 0.0001, ...},                 # get_params()
     "learned": {"coef_": <float32 array>, "features_": {<a nested estimator>}, ...}}

and the app rebuilds the estimator from it. :data:`SCHEMAS` (at the end of this module) declares, for
each class, every parameter and every learned attribute with the rules a value must meet (type, range,
dtype, shape, finite). Both directions are driven by that declaration: :func:`to_data` refuses to
write an estimator with an undeclared parameter or learned attribute, and :func:`from_data` refuses a
file with an undeclared field or a value breaking its rule, so whatever is saved is exactly what is
checked on loading.

Adding a field is one line in the class's declaration below:

* a new ``__init__`` parameter: ``"name": Real(0, 1)`` in ``params``. A file written before it existed
  gets the ``__init__`` default; if that default would change what an old model computes, declare the
  value that reproduces the old behaviour: ``"name": Param(Boolean(), missing=False)``.
* a new learned attribute: ``"name_": Array("float32", ("n_features_out_",))`` in ``learned``. A shape
  entry is a number, a parameter's name, an earlier learned integer's name, or a new symbol that the
  first array using it defines (``"n_classes"``); ``"features_.n_features_out_"`` reads a nested
  estimator's value. If older files lack it, give what stands in for it:
  ``Learned(Nullable(Array(...)), missing=None)``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from model.binary import BinaryLogisticRegression
from model.features import MAX_ORIENTATIONS, MAX_QUADRATIC_COMPONENTS, MnistFeatureMap, feature_count
from model.joblib_reader import LegacyObject, safe_name
from model.ovr import OneVsRestLogisticRegression
from model.validation import N_PIXELS

NOT_SAVED = frozenset({"metadata_"})  # attributes the loader attaches; they are saved beside the estimator
MAX_DATA_NODES = 200_000  # values in a file's metadata: bounds walking a graph of shared references
MAX_TEXT = 10_000  # characters in one metadata string
MAX_DEPTH = 20  # nesting of metadata


class SchemaError(ValueError):
    """A value does not meet its declaration; the text is a clause naming the field and the rule."""


Context = dict[str, Any]


class Spec:
    """A rule for one value: :meth:`check` returns the value as the estimator keeps it, or raises."""

    def check(self, value: Any, field: str, context: Context) -> Any:
        raise NotImplementedError

    def encode(self, value: Any) -> Any:
        """The value as plain data for the file (numpy scalars become Python numbers)."""
        if isinstance(value, np.generic):
            return value.item()
        return value


class Real(Spec):
    """A finite number in ``[low, high]`` (integers are accepted and kept as floats)."""

    def __init__(self, low: float = -math.inf, high: float = math.inf) -> None:
        self.low, self.high = low, high

    def check(self, value: Any, field: str, context: Context) -> Any:
        if type(value) not in (int, float) or not math.isfinite(value) or not self.low <= value <= self.high:
            raise SchemaError(f"{field} must be a number from {self.low:g} to {self.high:g}")
        return float(value)


class Integer(Spec):
    """A whole number in ``[low, high]`` (not a boolean)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def check(self, value: Any, field: str, context: Context) -> Any:
        if type(value) is not int or not self.low <= value <= self.high:
            raise SchemaError(f"{field} must be a whole number from {self.low} to {self.high}")
        return value


class Boolean(Spec):
    def check(self, value: Any, field: str, context: Context) -> Any:
        if type(value) is not bool:
            raise SchemaError(f"{field} must be true or false")
        return value


class Choice(Spec):
    """One of a few fixed values (strings or numbers, compared with their type)."""

    def __init__(self, *values: Any) -> None:
        self.values = values

    def check(self, value: Any, field: str, context: Context) -> Any:
        if not any(type(value) is type(v) and value == v for v in self.values):
            raise SchemaError(f"{field} must be one of {', '.join(map(repr, self.values))}")
        return value


class Either(Spec):
    """The first of several rules that the value meets."""

    def __init__(self, *specs: Spec) -> None:
        self.specs = specs

    def check(self, value: Any, field: str, context: Context) -> Any:
        reasons = []
        for spec in self.specs:
            try:
                return spec.check(value, field, context)
            except SchemaError as exc:
                reasons.append(str(exc).removeprefix(f"{field} must be "))
        raise SchemaError(f"{field} must be {' or '.join(reasons)}")

    def encode(self, value: Any) -> Any:
        for spec in self.specs:
            try:
                encoded = spec.encode(value)
                spec.check(encoded, "", {})
            except (SchemaError, TypeError, ValueError):
                continue
            return encoded
        return super().encode(value)


def Nullable(spec: Spec) -> Spec:
    """``None`` or a value meeting ``spec``."""
    return Either(Choice(None), spec)


class RealList(Spec):
    """A list of finite numbers, at most ``max_length`` long (a loss curve)."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def check(self, value: Any, field: str, context: Context) -> Any:
        if type(value) is not list or len(value) > self.max_length:
            raise SchemaError(f"{field} must be a list of at most {self.max_length:,} numbers")
        if not all(type(v) in (int, float) and math.isfinite(v) for v in value):
            raise SchemaError(f"{field} must hold finite numbers only")
        return [float(v) for v in value]

    def encode(self, value: Any) -> Any:
        return [float(v) for v in value]


class Array(Spec):
    """A numpy array of exactly ``dtype`` whose shape follows ``shape`` (see the module docstring).

    ``finite`` refuses NaN and infinity; ``low``/``high`` bound every element.
    """

    def __init__(
        self,
        dtype: str,
        shape: tuple[int | str, ...],
        *,
        finite: bool = True,
        low: float | None = None,
        high: float | None = None,
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.shape = shape
        self.finite, self.low, self.high = finite, low, high

    def check(self, value: Any, field: str, context: Context) -> Any:
        expected = " x ".join(str(n) for n in self.shape) or "scalar"
        if type(value) is not np.ndarray or value.dtype != self.dtype:
            raise SchemaError(f"{field} must be an array of {self.dtype} (shape {expected})")
        if value.ndim != len(self.shape):
            raise SchemaError(f"{field} must have shape {expected}, not {value.ndim} dimensions")
        bound: dict[str, int] = {}
        for axis, (size, want) in enumerate(zip(value.shape, self.shape, strict=True)):
            if isinstance(want, str) and want not in context and want not in bound:
                bound[want] = size  # the first array that uses a symbol defines it
                continue
            target = want if isinstance(want, int) else context.get(want, bound.get(want))
            if size != target:
                raise SchemaError(f"{field} must have {target} entries along axis {axis}, not {size}")
        context.update(bound)
        if value.dtype.kind == "f" and self.finite and not np.isfinite(value).all():
            raise SchemaError(f"{field} must hold finite numbers only")
        if value.size and self.low is not None and value.min() < self.low:
            raise SchemaError(f"{field} must hold values of at least {self.low:g}")
        if value.size and self.high is not None and value.max() > self.high:
            raise SchemaError(f"{field} must hold values of at most {self.high:g}")
        value = np.ascontiguousarray(value)
        if not value.flags.writeable:  # a view of bytes received from a child process, say
            value = value.copy()
        return value

    def encode(self, value: Any) -> Any:
        array = np.asarray(value)
        if array.dtype != self.dtype and np.can_cast(array.dtype, self.dtype, "same_kind"):
            array = array.astype(self.dtype)
        return np.ascontiguousarray(array)


class Nested(Spec):
    """A fitted estimator of another declared class, stored as its own data dict."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def check(self, value: Any, field: str, context: Context) -> Any:
        inner: Context = {}
        estimator = _rebuild(SCHEMAS[self.cls], value, field, inner)
        name = field.rsplit(".", 1)[-1]  # shapes of the outer estimator refer to it by attribute name
        context.update({f"{name}.{k}": v for k, v in inner.items()})
        return estimator

    def encode(self, value: Any) -> Any:
        return to_data(value)


_DEFAULT = object()  # use the __init__ default
_REQUIRED = object()


class Param:
    """A parameter's rule and, optionally, the value assumed when an older file does not have it."""

    def __init__(self, spec: Spec, missing: Any = _DEFAULT) -> None:
        self.spec, self.missing = spec, missing


class Learned:
    """A learned attribute's rule and, optionally, what stands in for it when an older file lacks it."""

    def __init__(self, spec: Spec, missing: Any = _REQUIRED) -> None:
        self.spec, self.missing = spec, missing


class EstimatorSchema:
    """Everything a model file may say about one estimator class."""

    def __init__(
        self,
        cls: type,
        params: Mapping[str, Spec | Param],
        learned: Mapping[str, Spec | Learned],
        consistent: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.params = {k: v if isinstance(v, Param) else Param(v) for k, v in params.items()}
        self.learned = {k: v if isinstance(v, Learned) else Learned(v) for k, v in learned.items()}
        self.consistent = consistent
        self.defaults = {
            name: p.default
            for name, p in inspect.signature(cls.__init__).parameters.items()
            if name != "self"
        }


# ------------------------------------------------------------------------------------ writing


def to_data(estimator: Any) -> dict[str, Any]:
    """The data form of a fitted estimator, checked against its declaration.

    Raises :class:`SchemaError` when the estimator has a parameter or learned attribute the schema
    does not declare (add it to :data:`SCHEMAS`) or a value that breaks its rule: a file is only
    written if it will load again.
    """
    schema = SCHEMAS.get(type(estimator))
    if schema is None:
        raise SchemaError(f"{type(estimator).__name__} has no declared data form in model/schema.py")
    params = estimator.get_params()
    learned_names = [
        k for k in vars(estimator) if k.endswith("_") and not k.startswith("_") and k not in NOT_SAVED
    ]
    undeclared = sorted(
        {k for k in params if k not in schema.params} | {k for k in learned_names if k not in schema.learned}
    )
    if undeclared:
        raise SchemaError(
            f"{schema.name} has fields that model/schema.py does not declare ({', '.join(undeclared)}); "
            "declare them so that they are saved and checked"
        )
    data = {
        "class": schema.name,
        "params": {k: schema.params[k].spec.encode(v) for k, v in params.items()},
        "learned": {k: schema.learned[k].spec.encode(getattr(estimator, k)) for k in learned_names},
    }
    _rebuild(schema, data, schema.name, {})  # the same checks as loading: never write what cannot load
    return data


# ------------------------------------------------------------------------------------ reading


def from_data(cls: type, data: Any) -> Any:
    """Rebuild a fitted ``cls`` from its data form, checking every field; raises :class:`SchemaError`."""
    return _rebuild(SCHEMAS[cls], data, cls.__name__, {})


def _rebuild(schema: EstimatorSchema, data: Any, field: str, context: Context) -> Any:
    if not (type(data) is dict and set(data) == {"class", "params", "learned"}):
        raise SchemaError(f"{field} is not an estimator in the data form")
    if data["class"] != schema.name:
        raise SchemaError(f"{field} must be a {schema.name}")
    params, learned = data["params"], data["learned"]
    if type(params) is not dict or type(learned) is not dict:
        raise SchemaError(f"{field} must have dicts of parameters and learned values")
    _refuse_unknown(params, schema.params, field, "parameter")
    _refuse_unknown(learned, schema.learned, field, "learned value")
    values = {}
    for name, param in schema.params.items():
        if name in params:
            values[name] = param.spec.check(params[name], f"{field}.{name}", context)
        else:
            values[name] = schema.defaults[name] if param.missing is _DEFAULT else param.missing
        context[name] = values[name]
    estimator = schema.cls(**values)
    check_params = getattr(estimator, "_check_params", None)
    if check_params is not None:
        try:
            check_params()
        except (ValueError, TypeError) as exc:
            raise SchemaError(f"{field} has invalid parameters") from exc
    for name, rule in schema.learned.items():
        if name in learned:
            value = rule.spec.check(learned[name], f"{field}.{name}", context)
        elif rule.missing is not _REQUIRED:
            value = rule.missing
        else:
            raise SchemaError(f"{field} lacks its learned value {name}")
        if isinstance(value, int | float | bool):
            context[name] = value
        setattr(estimator, name, value)
    if schema.consistent is not None:
        problem = schema.consistent(estimator)
        if problem:
            raise SchemaError(f"{field}: {problem}")
    return estimator


def _refuse_unknown(found: dict[str, Any], declared: Mapping[str, Any], field: str, what: str) -> None:
    unknown = [k for k in found if k not in declared]
    if unknown:
        name = safe_name(unknown[0])
        raise SchemaError(
            f"{field} has a {what} this version does not know ({name}); it was saved by a newer version"
        )


def check_plain(value: Any, field: str = "the metadata") -> None:
    """Refuse anything in ``value`` but dicts with string keys, lists (or tuples), strings, numbers,
    booleans and None.

    Walks at most :data:`MAX_DATA_NODES` values, so a file of shared references (``x = [x, x]``, forty
    levels deep) is refused at once instead of being walked 2**40 times.
    """
    budget = [MAX_DATA_NODES]

    def walk(v: Any, depth: int) -> None:
        budget[0] -= 1
        if budget[0] < 0:
            raise SchemaError(f"{field} holds more values than any model file")
        if depth > MAX_DEPTH:
            raise SchemaError(f"{field} is nested deeper than any model file")
        kind = type(v)
        if kind is dict:
            for key, item in v.items():
                if type(key) is not str or len(key) > MAX_TEXT:
                    raise SchemaError(f"{field} has a key that is not a short string")
                walk(item, depth + 1)
        elif kind is list or kind is tuple:  # tuples: metadata of files the previous version wrote
            for item in v:
                walk(item, depth + 1)
        elif kind is str:
            if len(v) > MAX_TEXT:
                raise SchemaError(f"{field} holds a text longer than {MAX_TEXT:,} characters")
        elif kind is float:
            if not math.isfinite(v):
                raise SchemaError(f"{field} holds a number that is not finite")
        elif kind not in (int, bool, type(None)):
            raise SchemaError(f"{field} holds a value of type {kind.__name__}, which is not plain data")

    walk(value, 0)


def to_plain(value: Any, depth: int = 0) -> Any:
    """``value`` (metadata) as plain data: numpy scalars and arrays become numbers and lists."""
    if depth > MAX_DEPTH:
        raise SchemaError("the metadata is nested too deeply")
    if isinstance(value, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v, depth + 1) for v in value]
    if isinstance(value, np.ndarray):
        return to_plain(value.tolist(), depth)
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_legacy(value: Any, names: Mapping[str, type], field: str = "the model file's estimator") -> Any:
    """A :class:`LegacyObject` record of an old file (the estimator pickled as an object) in data form.

    Its state splits into the declared parameters and learned values; the result then goes through
    :func:`from_data` like any new file, so an old file is exactly as strictly checked.
    """
    if not isinstance(value, LegacyObject) or value.state is None or value.name not in names:
        raise SchemaError(f"{field} is not a Digit Canvas estimator")
    schema = SCHEMAS[names[value.name]]
    params, learned = {}, {}
    for key, item in value.state.items():
        if key in schema.params:
            params[key] = item
        elif key in schema.learned:
            spec = schema.learned[key].spec
            learned[key] = from_legacy(item, names, f"{field}.{key}") if isinstance(spec, Nested) else item
        else:
            raise SchemaError(f"{field} has an attribute this version does not know ({safe_name(key)})")
    return {"class": schema.name, "params": params, "learned": learned}


# ------------------------------------------------------------------------------------ declarations


def _feature_map_consistent(fm: MnistFeatureMap) -> str | None:
    """The map must make the number of features it declares (checked on one blank image, so any
    kind of feature the map computes is covered without repeating its arithmetic here)."""
    if (fm.components_ is None) != (fm.n_components is None):
        return "the principal components do not match n_components"
    try:
        made = fm.transform(np.zeros((1, N_PIXELS), dtype=np.float32)).shape[1]
    except (ValueError, IndexError):  # arrays that do not fit together
        return f"it cannot make the {fm.n_features_out_} features it declares"
    if made != fm.n_features_out_:
        return f"it makes {made} features, not the {fm.n_features_out_} it declares"
    return None


MAX_FEATURES = (
    N_PIXELS
    + MAX_QUADRATIC_COMPONENTS * (MAX_QUADRATIC_COMPONENTS + 3) // 2
    + feature_count(0, 1, MAX_ORIENTATIONS)
)  # the stroke directions' share
MAX_ITER = 1_000_000

SCHEMAS: dict[type, EstimatorSchema] = {
    cls.cls: cls
    for cls in (
        EstimatorSchema(
            BinaryLogisticRegression,
            params={
                "alpha": Real(0, 1e6),
                "max_iter": Integer(1, MAX_ITER),
                "tol": Real(0, 1e6),
                "learning_rate": Either(Choice("auto"), Real(1e-300, 1e6)),
                "momentum": Boolean(),
            },
            learned={
                "classes_": Array("int64", (2,), low=0, high=9),
                "coef_": Array("float64", (1, N_PIXELS)),
                "intercept_": Array("float64", (1,)),
                "n_features_in_": Integer(N_PIXELS, N_PIXELS),
                "n_iter_": Integer(0, MAX_ITER),
                "loss_curve_": Learned(RealList(MAX_ITER), missing=[]),
            },
        ),
        EstimatorSchema(
            MnistFeatureMap,
            params={
                "deskew": Boolean(),
                "n_components": Nullable(Integer(1, N_PIXELS)),
                "degree": Choice(1, 2),
                "orientations": Integer(0, MAX_ORIENTATIONS),
            },
            learned={
                "n_features_in_": Integer(N_PIXELS, N_PIXELS),
                "n_features_out_": Integer(1, MAX_FEATURES),
                "mean_": Array("float32", (N_PIXELS,)),
                "components_": Nullable(Array("float32", (N_PIXELS, "n_components"))),
                "scale_mean_": Array("float32", ("n_features_out_",)),
                "scale_": Array("float32", ("n_features_out_",), low=1e-12),
            },
            consistent=_feature_map_consistent,
        ),
        EstimatorSchema(
            OneVsRestLogisticRegression,
            params={
                "alpha": Real(0, 1e6),
                "max_iter": Integer(1, MAX_ITER),
                "tol": Real(0, 1e6),
                "deskew": Boolean(),
                "n_components": Nullable(Integer(1, N_PIXELS)),
                "degree": Choice(1, 2),
                "orientations": Integer(0, MAX_ORIENTATIONS),
                "not_digit_rate": Real(0, 0.5),
            },
            learned={
                "features_": Nested(MnistFeatureMap),
                "classes_": Array("int64", ("n_classes",), low=0, high=9),
                "coef_": Array("float32", ("n_classes", "features_.n_features_out_")),
                "intercept_": Array("float32", ("n_classes",)),
                "n_features_in_": Integer(N_PIXELS, N_PIXELS),
                "n_iter_": Integer(0, MAX_ITER),
                "converged_": Array("bool", ("n_classes",)),
                # The "no digit" model, in files of models fitted with negatives.
                "reject_coef_": Learned(
                    Nullable(Array("float32", ("features_.n_features_out_",))), missing=None
                ),
                "reject_intercept_": Learned(Nullable(Real()), missing=None),
                "reject_threshold_": Learned(Nullable(Real()), missing=None),
                # Training digits kept for learning a person's hand (model.personal), as 0-255 pixels.
                "rehearsal_": Learned(Nullable(Array("uint8", ("n_rehearsal", N_PIXELS))), missing=None),
            },
        ),
    )
}
# The names of the classes as files written by the previous version pickled them.
LEGACY_CLASSES: dict[tuple[str, str], str] = {
    (cls.__module__, cls.__qualname__): cls.__name__ for cls in SCHEMAS
}
LEGACY_NAMES: dict[str, type] = {cls.__name__: cls for cls in SCHEMAS}
