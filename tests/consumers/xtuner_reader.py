"""How xtuner reads a POLAR train.jsonl, ported line for line.

Source: InternLM/xtuner, xtuner/dataset/preference_dataset.py
(`load_jsonl_dataset` and `tokenize_ref`, is_reference=True, is_reward=True),
read at commit 00796c17f118af10a9ec17351fab2fd780236647. What is ported: how
each line is loaded (json.loads per line, then datasets.Dataset.from_list, which
needs every record to have the same columns of the same nested type), how the
four fields are flattened (e["content"] of each message joined by "\\n") and how
the chosen and rejected sequences are assembled around "<|reward|>". The
tokenizer round trip is the identity here (no truncation); the reward token is
appended by id in xtuner, so the texts below end before it.
"""
import json


def arrow_type(value):
    """The nested type datasets.Dataset.from_list infers for a value (None: null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        inner = {arrow_type(v) for v in value} - {None}
        if len(inner) > 1:
            raise TypeError(f"list with mixed element types {sorted(map(str, inner))}")
        return ("list", inner.pop() if inner else None)
    if isinstance(value, dict):
        return ("struct", tuple(sorted((k, arrow_type(v)) for k, v in value.items())))
    raise TypeError(f"unsupported value {value!r}")


def load_jsonl_dataset(path):
    # xtuner: data = [json.loads(line) for line in file]; HFDataset.from_list(data)
    with open(path, encoding="utf-8") as file:
        data = [json.loads(line) for line in file]
    columns = {}
    for i, record in enumerate(data):
        if not isinstance(record, dict):
            raise TypeError(f"line {i + 1}: not an object")
        for key, value in record.items():
            t = arrow_type(value)
            if t is None:
                continue
            if key in columns and columns[key] != t:
                raise TypeError(f"line {i + 1}: column {key!r} has type {t}, earlier {columns[key]}")
            columns.setdefault(key, t)
    return data


def tokenize_ref(pair):
    # The four fields: lists of messages, only "content" read (a string field
    # fails here with "string indices must be integers", as in xtuner).
    prompt_ddm = "\n".join([e["content"] for e in (pair["prompt"])])
    reference_ddm = "\n".join([e["content"] for e in (pair["reference"])])
    chosen_ddm = "\n".join([e["content"] for e in (pair["chosen"])])
    rejected_ddm = "\n".join([e["content"] for e in (pair["rejected"])])
    wrapper = pair["wrapper"] if "wrapper" in pair else "sft"
    _prompt, _reference, _chosen, _rejected = prompt_ddm, reference_ddm, chosen_ddm, rejected_ddm
    _reference_cat = _prompt + _reference if wrapper == "pretrain" or _reference == "" else _prompt + "\n" + _reference
    _chosen_cat = _prompt + _chosen if wrapper == "pretrain" or _chosen == "" else _prompt + "\n" + _chosen
    _rejected_cat = _prompt + _rejected if wrapper == "pretrain" or _rejected == "" else _prompt + "\n" + _rejected
    chosen = _reference_cat + "<|reward|>" + _chosen_cat
    rejected = _reference_cat + "<|reward|>" + _rejected_cat
    return {"chosen": chosen, "rejected": rejected}


def read(path):
    return [tokenize_ref(pair) for pair in load_jsonl_dataset(path)]
