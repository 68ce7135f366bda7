#!/usr/bin/env python3
"""The embedded demo model's tokenizer: a small InternLM2-style sentencepiece
model trained on the demo corpus's training pairs, in which every number from
0 to 999 is one piece.

Why its own tokenizer: the demo model must tell "347" from "348" against a
reference. Spelled digit by digit, that is an alignment of digit strings a
model of a million parameters learns slowly and poorly (65% on held-out
arithmetic); with whole numbers it is one token matched against another.
Numbers above 999 are cut greedily from the left ("4164" -> "416" "4"), so
the same number is always the same pieces.

Everything else follows InternLM2's tokenizer, so that the app's encoding
(xtuner's _encode) runs on it unchanged: BPE, identity normalisation, no
dummy prefix, whitespace kept, "\\n" a piece of its own, byte fallback (any
text encodes and decodes back), and the special tokens where InternLM2 keeps
them: <|reward|> and the chat markers are added tokens over [UNUSED_TOKEN_*]
pieces, the reward token is [UNUSED_TOKEN_130]. Only the training split is
read, so held-out words and cities are never single pieces.

Needs the sentencepiece Python package (its trainer).

    scripts/demo_tokenizer.py --corpus OUT/corpus/train.jsonl [--vocab 2048] OUT_DIR
"""
import argparse
import json
import os
import tempfile

import sentencepiece as spm

UNUSED = ["[UNUSED_TOKEN_0]", "[UNUSED_TOKEN_1]", "[UNUSED_TOKEN_2]", "[UNUSED_TOKEN_130]",
          "[UNUSED_TOKEN_141]", "[UNUSED_TOKEN_142]", "[UNUSED_TOKEN_143]", "[UNUSED_TOKEN_144]",
          "[UNUSED_TOKEN_145]", "[UNUSED_TOKEN_146]"]
# The added tokens of InternLM2's tokenizer_config.json and the pieces they stand on.
ADDED = [("<|reward|>", "[UNUSED_TOKEN_0]"), ("<|plugin|>", "[UNUSED_TOKEN_141]"),
         ("<|interpreter|>", "[UNUSED_TOKEN_142]"), ("<|action_end|>", "[UNUSED_TOKEN_143]"),
         ("<|action_start|>", "[UNUSED_TOKEN_144]"), ("<|im_end|>", "[UNUSED_TOKEN_145]"),
         ("<|im_start|>", "[UNUSED_TOKEN_146]")]


def contents(messages):
    return [m["content"] for m in messages] if isinstance(messages, list) else [messages]


def corpus_texts(path):
    seen = set()
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            try:
                row = json.loads(line)
                for key in ("prompt", "reference", "chosen", "rejected"):
                    for text in contents(row[key]):
                        for part in text.split("\n"):
                            if part and part not in seen:
                                seen.add(part)
                                yield part
            except KeyError as e:
                raise SystemExit(f"{path}:{line_no}: not a POLAR pair (no field {e})")
            except (ValueError, TypeError, AttributeError) as e:
                raise SystemExit(f"{path}:{line_no}: not a POLAR pair ({e})")


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--corpus", required=True, help="the corpus's train.jsonl")
    ap.add_argument("--vocab", type=int, default=2048)
    args = ap.parse_args()
    numbers = [str(n) for n in range(1000)]
    user_defined = ["\n"] + numbers + UNUSED
    fixed = 3 + len(user_defined) + 256  # <unk> <s> </s>, the pieces above, the byte pieces
    if args.vocab <= fixed:
        ap.error(f"--vocab {args.vocab}: must exceed the {fixed} pieces every such tokenizer holds")
    out = os.path.abspath(args.out)
    outputs = [os.path.join(out, f) for f in ("tokenizer.model", "tokenizer_config.json", "special_tokens_map.json")]
    if os.path.realpath(args.corpus) in map(os.path.realpath, outputs):
        ap.error(f"--corpus {args.corpus}: is one of the files this writes")
    # Read (and check) every line before training: the trainer would take an
    # error raised inside its iterator for the end of the input.
    try:
        texts = list(corpus_texts(args.corpus))
    except OSError as e:
        raise SystemExit(f"{args.corpus}: {e.strerror}")
    model_path = outputs[0]
    os.makedirs(out, exist_ok=True)
    # The trainer writes in place and records its model_prefix in the model:
    # it works in a scratch folder under a relative prefix, so that nothing in
    # OUT is half written and the bytes are the same wherever it is made.
    with tempfile.TemporaryDirectory(dir=out, prefix=".tokenizer-") as scratch:
        os.chdir(scratch)
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(texts), model_prefix="tokenizer", model_type="bpe",
            vocab_size=args.vocab, character_coverage=1.0, byte_fallback=True,
            normalization_rule_name="identity", add_dummy_prefix=False, remove_extra_whitespaces=False,
            allow_whitespace_only_pieces=True, split_digits=False, user_defined_symbols=user_defined,
            unk_id=0, bos_id=1, eos_id=2, pad_id=-1, num_threads=1, minloglevel=2)
        sp = spm.SentencePieceProcessor(model_file="tokenizer.model")
        for text in ("What is 347 x 12?\n4164.", "a  b\n\n c", "é½ ﬁ 😀"):
            if sp.decode(sp.encode(text)) != text:
                raise SystemExit(f"{model_path}: {text!r} does not decode back (nothing written)")
        if len(sp.encode("4164")) != 2 or len(sp.encode("347")) != 1:
            raise SystemExit(f"{model_path}: numbers are not whole pieces (nothing written)")
        write_configs(sp, out)
        os.replace(os.path.join(scratch, "tokenizer.model"), model_path)  # last: the model makes the folder whole
    print(f"wrote {model_path} ({sp.get_piece_size()} pieces) with its tokenizer_config.json")


def write_configs(sp, out):
    """tokenizer_config.json and special_tokens_map.json as InternLM2 has them, with this model's ids."""
    def token(content):
        return {"content": content, "lstrip": False, "normalized": False, "rstrip": False,
                "single_word": False}
    decoder = {str(i): dict(token(sp.id_to_piece(i)), special=True) for i in (0, 1, 2)}
    for content, piece in ADDED:
        decoder[str(sp.piece_to_id(piece))] = dict(token(content), special=True)
    specials = [c for c, _ in reversed(ADDED)]
    write_json(os.path.join(out, "tokenizer_config.json"), {
        "add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": decoder,
        "additional_special_tokens": specials,
        "auto_map": {"AutoTokenizer": ["tokenization_internlm2.InternLM2Tokenizer",
                                       "tokenization_internlm2_fast.InternLM2TokenizerFast"]},
        "bos_token": "<s>", "clean_up_tokenization_spaces": False, "decode_with_prefix_space": False,
        "eos_token": "</s>", "model_max_length": 1000000000000000019884624838656, "pad_token": "</s>",
        "sp_model_kwargs": None, "tokenizer_class": "InternLM2Tokenizer", "unk_token": "<unk>"})
    write_json(os.path.join(out, "special_tokens_map.json"), {
        "additional_special_tokens": specials, "bos_token": token("<s>"), "eos_token": token("</s>"),
        "pad_token": token("</s>"), "unk_token": token("<unk>")})


if __name__ == "__main__":
    main()
