"""The lesson presets: partial configurations named after what each lesson shows.

A preset is ``{"id", "title": {"zh", "en"}, "config": {…partial…}}``; fields it leaves
out take their defaults (``core.config``). The pages offer them as ``?preset=ID`` and
``GET /api/presets`` serves them.
"""

from __future__ import annotations

from core.config import validate_config

_CIRCLE_NEURONS = {"dataset": "circle", "features": ["x1", "x2"], "activation": "sigmoid",
                   "learning_rate": 0.3, "noise": 0}
_L1_L2 = {"dataset": "circle", "noise": 10, "hidden": [6], "activation": "tanh",
          "features": ["x1", "x2", "x1_sq", "x2_sq", "x1x2", "sin_x1", "sin_x2"],
          "learning_rate": 0.03, "reg_rate": 0.01}

def _preset(preset_id: str, zh: str, en: str, config: dict) -> dict:
    return {"id": preset_id, "title": {"zh": zh, "en": en}, "config": config}


PRESETS: list[dict] = [
    _preset("one_neuron", "一个隐藏神经元：一条直线", "One hidden neuron: one line",
            {**_CIRCLE_NEURONS, "hidden": [1]}),
    _preset("two_neurons", "两个隐藏神经元：两条直线", "Two hidden neurons: two lines",
            {**_CIRCLE_NEURONS, "hidden": [2]}),
    _preset("three_neurons", "三个隐藏神经元：围住一类的三角形",
            "Three hidden neurons: a triangle around a class",
            {**_CIRCLE_NEURONS, "hidden": [3]}),
    _preset("perceptron", "感知机：高斯数据上的一条直线", "Perceptron: one line on Gaussian data",
            {"dataset": "gaussian", "hidden": [], "features": ["x1", "x2"],
             "activation": "sigmoid", "learning_rate": 0.1}),
    _preset("xor_linear", "异或：没有隐藏层就分不开",
            "XOR without a hidden layer: no line separates it",
            {"dataset": "xor", "hidden": [], "features": ["x1", "x2"], "learning_rate": 0.1}),
    _preset("xor_hidden", "异或：加一个隐藏层", "XOR with a hidden layer",
            {"dataset": "xor", "hidden": [4], "features": ["x1", "x2"], "activation": "tanh",
             "learning_rate": 0.1}),
    _preset("three_blobs_softmax", "三个类别：softmax 与三个输出神经元",
            "Three classes: softmax with three output neurons",
            {"dataset": "three_blobs", "hidden": [], "features": ["x1", "x2"],
             "loss": "cross_entropy", "learning_rate": 0.1}),
    _preset("l1", "L1 正则化：多余的权重变成零", "L1 regularization: unneeded weights go to zero",
            {**_L1_L2, "regularization": "l1"}),
    _preset("l2", "L2 正则化：权重变小、变均匀", "L2 regularization: weights get small and even",
            {**_L1_L2, "regularization": "l2"}),
]

PRESETS_BY_ID: dict[str, dict] = {p["id"]: p for p in PRESETS}


def preset_config(preset_id: str) -> dict:
    """A copy of the preset's partial configuration (KeyError for an unknown id)."""
    return dict(PRESETS_BY_ID[preset_id]["config"])


# every preset must pass the one validator (a fixed seed keeps this import deterministic)
for _p in PRESETS:
    validate_config({**_p["config"], "seed": 0})
