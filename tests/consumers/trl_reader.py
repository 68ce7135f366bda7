"""How TRL reads a preference dataset for its RewardTrainer, ported.

Sources: huggingface/trl at commit f2cd57710ae345ea6428ae95363267fcf38a3dc8:
trl/data_utils.py (`is_conversational`, `apply_chat_template`) and
trl/trainer/reward_trainer.py (dataset preparation: `add_eos` for standard
data, `example["chosen"] = example["prompt"] + example["chosen"]` for an
explicit prompt, then the chat template over the whole conversation). The
tokenizer's chat template is a ChatML template written out here; what is
checked is what TRL does with the records, not one model's template.
"""
import json

SUPPORTED = ["prompt", "chosen", "rejected", "completion", "messages"]
EOS = "<|im_end|>"


def chatml(messages, add_generation_prompt=False, continue_final_message=False):
    out = ""
    for i, m in enumerate(messages):
        last = i == len(messages) - 1
        out += f"<|im_start|>{m['role']}\n{m['content']}"
        if not (last and continue_final_message):
            out += "<|im_end|>\n"
    if add_generation_prompt:
        out += "<|im_start|>assistant\n"
    return out


def is_conversational(example):
    # data_utils.is_conversational: the first supported key's value is a list whose
    # first element is a dict with "role".
    keys = {k for k in example if k in SUPPORTED}
    if keys:
        value = example[keys.pop()]
        if isinstance(value, list) and isinstance(value[0], dict) and "role" in value[0]:
            return True
    return False


def apply_chat_template(example):
    keys = {k for k in example if k in SUPPORTED + ["label"]}
    if keys not in [{"messages"}, {"prompt"}, {"prompt", "completion"}, {"prompt", "chosen", "rejected"},
                    {"chosen", "rejected"}, {"prompt", "completion", "label"}]:
        raise KeyError(f"Invalid keys in the example: {keys}")
    last_role = example["prompt"][-1]["role"]
    if last_role in ["user", "tool"]:
        gen, cont = True, False
    elif last_role == "assistant":
        gen, cont = False, True
    else:
        raise ValueError(f"Invalid role in the last message: {last_role}")
    prompt = chatml(example["prompt"], add_generation_prompt=gen, continue_final_message=cont)
    prompt_chosen = chatml(example["prompt"] + example["chosen"])
    prompt_rejected = chatml(example["prompt"] + example["rejected"])
    # The common prefix, as TRL takes it.
    common = ""
    for a, b, c in zip(prompt, prompt_chosen, prompt_rejected):
        if a == b == c:
            common += a
        else:
            break
    return {"prompt": common, "chosen": prompt_chosen[len(common):], "rejected": prompt_rejected[len(common):]}


def reward_trainer_text(example):
    """The chosen and rejected texts RewardTrainer tokenizes for one record."""
    if not is_conversational(example):
        chosen, rejected = example["chosen"], example["rejected"]
        if not chosen.endswith(EOS):
            chosen += EOS
        if not rejected.endswith(EOS):
            rejected += EOS
        if "prompt" in example:
            chosen, rejected = example["prompt"] + chosen, example["prompt"] + rejected
        return chosen, rejected
    apply_chat_template(example)  # raises on invalid keys or roles, as TRL's preprocessing does
    if "prompt" in example:
        return chatml(example["prompt"] + example["chosen"]), chatml(example["prompt"] + example["rejected"])
    return chatml(example["chosen"]), chatml(example["rejected"])


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
