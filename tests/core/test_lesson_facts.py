"""Every number a lesson states, recomputed from the code, in both languages.

``STATED`` lists each lesson string that contains numbers and how to get each of them:
from a core computation on the lesson's own demo (its configuration and seed), from the
demo's configuration, or, for the few definitions (labels 0/1, the bias unit's 1), the
definition itself. The text's numbers must be exactly these, in any order, each one the
value rounded to the decimals it shows. ``IN_TEMPLATES`` does the same for the numbers
the templates mark ``data-fact``. A string with a number nobody checks fails
``test_every_number_in_the_text_is_checked``, so no sentence slips in unverified.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from app.routes.lessons import LESSONS
from core.activations import ACTIVATIONS, sigmoid
from core.datasets import make_dataset
from core.features import feature_matrix
from core.grid import neuron_lines
from core.losses import LOSSES, loss_and_grad, n_outputs, output_kind, softmax
from core.network import Network, with_bias_column
from core.regularizers import REGULARIZERS
from core.sweep import best_index, run_sweep
from tests.core.lesson_facts import (
    LANGS,
    ROOT,
    best_line_mistakes,
    data_attribute,
    demo,
    inside,
    lesson_number,
    lowest_line_cross_entropy,
    numbers_in,
    strings,
    template_facts,
    trained,
    triangle_of,
    unmatched,
    unsure_everywhere,
    weights_of,
)

MEASURED_EPOCHS = 2000  # lesson 9's measured runs
XOR_EPOCHS = 500  # lessons 3 and 4
COMPARE_EPOCHS = int(data_attribute("losses.html", "data-epochs"))
BIAS_UNIT = float(with_bias_column(np.zeros((1, 1)))[0, -1])  # the constant input, 1
NEAR_ZERO = float(re.search(r"NEAR_ZERO = ([0-9.]+)", (
    ROOT / "static/js/lessons/demos/regularization.js").read_text()).group(1))


def sig(z: float) -> float:
    return float(sigmoid(np.array([z]))[0])


def grad(loss: str, z: float, y: float = 0.0) -> float:
    """∂L/∂z of one example with a sigmoid output (core's own loss and gradient)."""
    return float(LOSSES[loss].grad(np.array([[z]]), np.array([y]), "sigmoid")[0, 0])


def xor_error(name: str) -> float:
    return trained("hidden-layer", name, XOR_EPOCHS).history[-1]["test_error"]


def blobs_sizes() -> list[int]:
    blobs = demo("neurons", "blobs")
    return [blobs.hidden[0], blobs.n_classes]


def loss_compare(loss: str) -> float:
    return trained("losses", "compare", COMPARE_EPOCHS, loss=loss).history[-1]["test_error"]


def measured(reg: str, rate: float) -> dict:
    run = trained("regularization", "main", MEASURED_EPOCHS, regularization=reg, reg_rate=rate)
    w = weights_of(run)
    return {**run.history[-1], "near": int(np.sum(np.abs(w) < NEAR_ZERO)), "total": w.size,
            "exact_zeros": int(np.sum(w == 0.0))}


def perceptron_fail() -> list[float]:
    mistakes, n = best_line_mistakes()
    lowest, _ = lowest_line_cross_entropy()
    flat = trained("perceptron", "main", XOR_EPOCHS).history[-1]
    return [n, mistakes, 100 * mistakes / n, lowest, 2, math.log(2), flat["test_error"]]


def regularization_measured() -> list[float]:
    plain, l1, big = measured("none", 0), measured("l1", 0.01), measured("l1", 0.3)
    return [MEASURED_EPOCHS, plain["test_loss"], 0.01, l1["near"], l1["total"], l1["test_loss"],
            0.3, big["near"], big["test_error"]]


def example(name: str) -> float:
    """The article's L1/L2 example through the core: x·w by a one-layer linear network,
    the penalties by the regularizers, MSE by the loss, J = MSE + λ·R."""
    x, y, lam = np.ones(4), 1.1, 0.1
    w = {"w1": np.array([1.0, 0, 0, 0]), "w2": np.full(4, 0.25)}[name[-2:]]
    net = Network([4, 1], "linear", "linear")
    net.layers[0][:-1, 0], net.layers[0][-1, 0] = w, 0.0
    out = float(net.forward(with_bias_column(x[None, :]))[0, 0])
    mse = loss_and_grad("mse", "linear", np.array([[out]]), np.array([y]))[0]
    kind = name.split("_")[1]
    if kind == "out":
        return out
    if kind == "mse":
        return mse
    if kind in ("l1", "l2"):
        return REGULARIZERS[kind](w)[0]
    return mse + lam * REGULARIZERS[name.split("_")[2]](w)[0]  # ex_j_l1_w1 …


STATED = {
    # the index, the shared strings and the network lines
    "live.legend": lambda: [0, 1],  # the error rate's axis, a rate from 0 to 1
    "dataset.three_blobs": lambda: [demo("neurons", "blobs").n_classes],
    "setup.hidden_one": lambda: [1],
    "setup.output_sigmoid": lambda: [n_outputs("classification", 2)],
    "setup.output_linear": lambda: [n_outputs("regression", 1)],
    # lesson 1
    "neuron.h_line": lambda: [0],
    "neuron.line": lambda: [0, -1, 0, BIAS_UNIT],
    "neuron.line_after": lambda: [0, 0, 0, 0],
    "neuron.sigmoid": lambda: [1, 0, 1, sig(40.0), sig(-40.0), 0, sig(0.0)],
    # lesson 2
    "layers.summary": lambda: [BIAS_UNIT],
    "layers.hidden": lambda: [lesson_number("neuron")],
    "layers.output": lambda: [1],
    "layers.tanh": lambda: [float(np.tanh(-40.0)), float(np.tanh(40.0))],
    "layers.softmax_note": lambda: [2],
    "layers.bias": lambda: [BIAS_UNIT, BIAS_UNIT],
    "layers.bias_fact1": lambda: [BIAS_UNIT],
    "layers.forward_hint": lambda: [BIAS_UNIT],
    # lessons 3 and 4
    "perceptron.fail": perceptron_fail,
    "hidden-layer.with": lambda: [demo("hidden-layer").hidden[0]],
    "hidden-layer.outro": lambda: [XOR_EPOCHS, xor_error("main"), xor_error("linear")],
    # lesson 5
    "neurons.summary": lambda: [demo("neurons", n).hidden[0] for n in ("one", "two", "main")],
    "neurons.count_1": lambda: [demo("neurons", "one").hidden[0]],
    "neurons.count_2": lambda: [demo("neurons", "two").hidden[0]],
    "neurons.count_3": lambda: [demo("neurons", "main").hidden[0]],
    "neurons.classes": lambda: [lesson_number("softmax")],
    "neurons.blobs": lambda: blobs_sizes(),
    "neurons.blobs_caption": lambda: blobs_sizes(),  # W⁽²⁾ is hidden × classes
    # lesson 6
    "design.params_note": lambda: [BIAS_UNIT],
    "design.out_binary": lambda: [1],
    "design.sweep": lambda: [demo("design").validation_ratio],  # the share held out
    # lesson 7
    "losses.notation": lambda: [0, 1, 1, 1, 0.5, 1, -1, 1],  # labels, class 1, p ≥ 0.5, t = ±1
    "losses.col_prob": lambda: [1],  # σ(z) is the probability of class 1 (labels 0/1)
    "losses.worked": lambda: [1, 1, 0],
    "losses.gradient": lambda: [0, 0, 1],
    "losses.mse_note": lambda: [grad("cross_entropy", 40.0), 1, 10, grad("mse", 10.0)],
    "losses.compare": lambda: [COMPARE_EPOCHS],
    "losses.compare_setup": lambda: [len(demo("losses", "compare").features),
                                     demo("losses", "compare").hidden[0], 1],
    "losses.compare_note": lambda: [COMPARE_EPOCHS, loss_compare("mse"),
                                    loss_compare("cross_entropy")],
    # lesson 8
    "softmax.intro": lambda: list(range(demo("softmax").n_classes)),
    "softmax.step2": lambda: [1, math.e, math.exp(-3), math.exp(-2), -3, -2],
    "softmax.step3": lambda: [float(softmax(np.array([[2.0, -1.0, 0.5]])).sum())],
    "softmax.curves_label": lambda: [0, 1],
    "softmax.curves_legend": lambda: [1, -math.log(1.0), 0],
    "softmax.outro": lambda: [1],
    # lesson 9
    "regularization.l2_norm": lambda: [0, 2],
    "regularization.objective": lambda: [0],
    "regularization.example": lambda: [1, 1, 1, 1, 1, 0, 0, 0, example("ex_out_w1")],
    "regularization.example_objective": lambda: [1.1, 0.1, abs(example("ex_out_w1") - 1.1),
                                                 example("ex_mse_w1")],
    "regularization.objective_after": lambda: [example("ex_j_l2_w2"), example("ex_j_l2_w1"),
                                               example("ex_j_l1_w1")],
    "regularization.example_after": lambda: [example("ex_l2_w1"), example("ex_l2_w2"),
                                             example("ex_l1_w1")],
    "regularization.live": lambda: [NEAR_ZERO],
    "regularization.measured": regularization_measured,
    "regularization.near_zero": lambda: [NEAR_ZERO],
    "regularization.outro": lambda: [lesson_number("design")],
}

IN_TEMPLATES = {
    "grad_z": lambda: [2, 5, 10],
    **{f"grad_p_{z}": (lambda z=z: [sig(z)]) for z in (2, 5, 10)},
    **{f"grad_ce_{z}": (lambda z=z: [grad("cross_entropy", z)]) for z in (2, 5, 10)},
    **{f"grad_mse_{z}": (lambda z=z: [grad("mse", z)]) for z in (2, 5, 10)},
    "ex_x": lambda: [1, 1, 1, 1],
    "ex_w1": lambda: [1, 0, 0, 0],
    "ex_y": lambda: [1.1],
    "ex_lambda": lambda: [0.1],
    **{name: (lambda name=name: [example(name)]) for name in (
        "ex_out_w1", "ex_out_w2", "ex_l1_w1", "ex_l1_w2", "ex_l2_w1", "ex_l2_w2",
        "ex_mse_w1", "ex_mse_w2", "ex_j_l1_w1", "ex_j_l1_w2", "ex_j_l2_w1", "ex_j_l2_w2")},
}


@pytest.mark.parametrize("key", sorted(STATED))
def test_the_text_states_what_the_code_computes(key):
    expected = [float(v) for v in STATED[key]()]
    for lang in LANGS:
        text = strings(lang).get(key, "")
        extra, missing = unmatched(numbers_in(text), expected)
        assert not extra and not missing, (
            f"{lang} {key}: the text says {numbers_in(text)}, the code gives {expected} "
            f"(unmatched in the text: {extra}; not stated: {missing})\n{text}")


def test_every_number_in_the_text_is_checked():
    for lang in LANGS:
        unchecked = {key: numbers_in(text) for key, text in strings(lang).items()
                     if numbers_in(text) and key not in STATED}
        assert not unchecked, f"{lang}: numbers no test recomputes: {unchecked}"


def test_the_templates_mark_what_the_code_computes():
    found = template_facts()
    assert set(found) == set(IN_TEMPLATES), "every data-fact has a computation, and back"
    for name, written in found.items():
        expected = [float(v) for v in IN_TEMPLATES[name]()]
        assert len(written) == len(expected), (name, written, expected)
        extra, missing = unmatched(written, expected)
        assert not extra and not missing, f"{name}: shows {written}, the code gives {expected}"


# --- claims the text makes in words ---------------------------------------------------------
def says(key: str, en: str, zh: str) -> None:
    """The sentence still makes the claim the test below checks (in both languages)."""
    assert en in strings("en")[key] and zh in strings("zh")[key], (key, en, zh)


def test_scaling_w1_w2_b_keeps_the_line_and_sharpens_the_neuron():
    says("neuron.line_after", "leaves the line where it is", "直线的位置不变")
    net = trained("neuron", "main", 50).network
    grid = np.stack(np.meshgrid(np.linspace(-6, 6, 41), np.linspace(-6, 6, 41)), -1).reshape(-1, 2)
    x = with_bias_column(grid)
    z = net.forward(x).copy()
    for c in (3.0, -2.0):
        scaled = Network(net.sizes, net.activation_name, net.output_kind)
        scaled.params[:] = c * net.params
        zc = scaled.forward(x).copy()
        assert np.array_equal(np.sign(zc), np.sign(c) * np.sign(z))  # same line (c < 0: sides swap)
        assert not np.allclose(sigmoid(zc), sigmoid(z))  # but not the same neuron


def test_tanh_is_a_stretched_sigmoid():
    says("layers.tanh", "tanh", "tanh")
    z = np.linspace(-8, 8, 161)
    assert np.allclose(ACTIVATIONS["tanh"].fn(z.copy()), 2 * sigmoid(2 * z) - 1, atol=1e-12)
    layers = demo("layers")
    assert layers.activation == "tanh"
    assert output_kind(layers.loss, layers.task, layers.n_classes) == "sigmoid"


def test_the_output_layer_suits_the_task():
    says("design.rule_out", "K classes need K outputs with softmax", "K 类用 K 个 softmax 输出")
    for task, classes, kind in (("classification", 2, "sigmoid"), ("classification", 3, "softmax"),
                                ("regression", 1, "linear")):
        assert output_kind("mse", task, classes) == kind
        assert n_outputs(task, classes) == (classes if kind == "softmax" else 1)
    says("losses.compare_setup", "the raw score z for hinge", "合页损失直接用原始分数 z")
    compare = demo("losses", "compare")
    kinds = {loss: output_kind(loss, compare.task, compare.n_classes)
             for loss in data_attribute("losses.html", "data-values").split(",")}
    assert kinds == {"cross_entropy": "sigmoid", "mse": "sigmoid", "mae": "sigmoid", "hinge": "raw"}


def test_a_perceptron_on_xor_stalls_with_an_unsure_line():
    says("perceptron.fail", "the loss of answering ½ for every point", "对每个点都回答 ½ 时的损失")
    half = loss_and_grad("cross_entropy", "sigmoid", np.zeros((4, 1)), np.array([0.0, 1, 0, 1]))[0]
    assert half == pytest.approx(math.log(2))
    _, line = lowest_line_cross_entropy()
    assert unsure_everywhere(line) < 0.25 and np.abs(line[:2]).max() < 0.2  # small weights
    history = trained("perceptron", "main", XOR_EPOCHS).history
    losses = [h["test_loss"] for h in history[5:]]
    assert max(losses) - min(losses) < 1e-3, "the loss curve stays flat after a few epochs"


def test_three_lines_close_a_triangle_around_the_inner_class():
    says("neurons.note_3", "close a triangle around the inner class", "围成一个三角形")
    assert {demo("neurons", name).activation for name in ("one", "two", "main")} == {"sigmoid"}
    run = trained("neurons", "main", 1000)
    corners = triangle_of(neuron_lines(run.network, run.config.features))
    assert np.all(np.abs(corners) < 6), "the triangle lies inside the field"
    rows = np.vstack([run.dataset.train, run.dataset.test])
    is_in = inside(corners, rows[:, :2])
    assert is_in[rows[:, 2] == 1].mean() > 0.9 and is_in[rows[:, 2] == 0].mean() < 0.1


def test_cross_entropy_keeps_pushing_where_mse_fades():
    says("losses.mse_note", "levels off at 1", "逐渐趋近 1")
    z = np.linspace(0.5, 12, 50)
    ce = np.array([grad("cross_entropy", v) for v in z])
    mse = np.array([grad("mse", v) for v in z])
    assert np.all(np.diff(ce) > 0) and ce[-1] < 1 and ce[-1] > 0.9999
    assert np.all(np.diff(mse[z > 1]) < 0)  # past its peak: the worse the mistake, the weaker


def test_exponentials_turn_differences_into_ratios():
    says("softmax.step2", "turns differences into ratios", "把分数之间的差变成了倍数")
    for z in ([2.0, 1.0, -1.0], [-3.0, -2.0, 0.0], [10.0, 9.0, 3.0]):
        p = softmax(np.array([z]))[0]
        assert p[0] / p[1] == pytest.approx(math.exp(z[0] - z[1]))
    assert math.exp(-2) - math.exp(-3) < (-2) - (-3)  # the gap shrinks here


def test_l1_leaves_weights_near_zero_not_at_zero_and_a_large_lambda_underfits():
    says("regularization.l1", "do not land exactly on zero", "不会恰好落在零上")
    assert np.array_equal(REGULARIZERS["l1"](np.array([-2.0, 0.3]))[1], [-1.0, 1.0])  # same push
    small = measured("l1", 0.01)
    assert small["near"] > small["total"] / 2 and small["exact_zeros"] == 0
    says("regularization.measured", "answers about ½ for every point", "回答 ½ 左右")
    run = trained("regularization", "main", MEASURED_EPOCHS, regularization="l1", reg_rate=0.3)
    x = with_bias_column(feature_matrix(run.dataset.test[:, :2], run.config.features))
    assert np.abs(sigmoid(run.network.forward(x).copy()) - 0.5).max() < 0.05


def test_the_l2_penalty_is_half_the_squared_norm_and_its_gradient_is_w():
    says("regularization.l2_norm", "the gradient of ½Σw² is simply w", "½Σw² 的梯度就是 w 本身")
    w = np.array([0.3, -1.2, 2.0, 0.0])
    value, gradient = REGULARIZERS["l2"](w)
    assert value == pytest.approx(0.5 * np.linalg.norm(w) ** 2) and np.array_equal(gradient, w)


def test_the_sweep_chooses_the_size_on_validation_loss():
    says("design.sweep", "chooses the size with the lowest validation loss",
         "选出验证损失最低的那个大小")
    sizes = [int(n) for n in data_attribute("design.html", "data-values").split(",")]
    configs = [demo("design", hidden=[n]) for n in sizes]
    results = run_sweep(configs, int(data_attribute("design.html", "data-epochs")))
    finals = [r["history"][-1]["validation_loss"] for r in results]
    assert best_index(results) == finals.index(min(finals))
    split = make_dataset(configs[0])  # held out of the rows trained on, never trained on
    assert len(split.validation) == configs[0].n_val > 0
    assert len(split.train) == configs[0].n_fit == configs[0].n_train - configs[0].n_val


COUNTS = {  # words for counts in the text, and what they count
    ("lessons.index_intro", "Nine", "九节"): lambda: len(LESSONS),
    ("design.sweep", "seven hidden sizes", "七种隐藏层大小"):
        lambda: len(data_attribute("design.html", "data-values").split(",")),
    ("losses.compare_running", "four networks", "四个网络"):
        lambda: len(data_attribute("losses.html", "data-values").split(",")),
    ("regularization.live", "all seven features", "全部七个特征"):
        lambda: len(demo("regularization").features),
    ("regularization.live", "six hidden tanh neurons", "六个 tanh 隐藏神经元"):
        lambda: demo("regularization").hidden[0],
}
WORDS = {"nine": 9, "seven": 7, "four": 4, "six": 6, "九": 9, "七": 7, "四": 4, "六": 6}


@pytest.mark.parametrize("key, en, zh", list(COUNTS))
def test_counts_written_as_words(key, en, zh):
    says(key, en, zh)
    count = COUNTS[(key, en, zh)]()
    assert WORDS[next(w for w in en.lower().split() if w in WORDS)] == count
    assert WORDS[next(c for c in zh if c in WORDS)] == count


def test_the_demos_use_the_activations_the_text_names():
    says("hidden-layer.intro", "is tanh, and the output uses σ", "激活函数 f 是 tanh，输出用 σ")
    assert demo("hidden-layer").activation == "tanh"
    says("regularization.live", "tanh", "tanh")
    assert demo("regularization").activation == "tanh"
