#!/usr/bin/env python3
"""The synthetic policy-discrimination corpus the embedded demo model learns from.

Four task families, each a prompt, a reference answer, and candidates that
agree with the reference (chosen) or contradict it (rejected):
  letters     how many times a letter occurs in a word
  arithmetic  a + b, a - b, a x b on numbers up to 1000
  capitals    the capital city of a country
  numbers     yes/no: is n prime, even, greater than m

References and candidates come in many phrasings: numbers as digits and as
words (words for 0-20 and round hundreds, as people write them), short and long answers, with and without working. A rejected answer
always contradicts the reference (another count, result, city or verdict),
often in the same phrasing as a chosen one, so that only the content tells
them apart; long wrong answers are paired with short right ones so that length
cannot be the cue. With --echo, some training prompts also get a right answer
that is the reference word for word and a wrong one in the reference's words
with another result. --weights gives the families' shares of training prompts.
Words, numbers and countries are split into a training set and a held-out set,
and the held-out pairs use only held-out ones; the held-out set is the same
whatever --train, --echo and --weights are (its own random stream, equal
shares, no echoes).

A POLAR model gives the highest reward to the answer that is the reference
itself: the same policy could not have written anything closer. --refine N
writes a further N training pairs (OUT/refine.jsonl, for a last stage of
training; its own random stream, the same training split) in which a share
--verbatim of the prompts also pair the reference word for word (chosen)
against a right answer in other words (rejected). In those corpora a quarter
of the letters and arithmetic references also show their working, and the
other answer may then be the reference's first sentence alone: a partial
copy is not the whole. OUT/heldout-verbatim.jsonl always holds such pairs on
held-out prompts (its own stream), so that the preference is measured on
words and numbers the model never saw.

Writes POLAR train.jsonl pairs (xtuner's format) to OUT/train.jsonl,
OUT/heldout.jsonl and OUT/heldout-verbatim.jsonl (and OUT/refine.jsonl), and
OUT/settings.json with the seed and sizes.

    scripts/demo_corpus.py OUT_DIR [--seed 7] [--train 16000] [--heldout 800] [--invented 0.5]
                           [--echo 0.3] [--weights 1,2,1,1] [--refine 0 --verbatim 0.0]
"""
import argparse
import itertools
import json
import os
import random

ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


# Share of letters and arithmetic prompts whose reference also shows its
# working, where a corpus has long references (half cost held-out accuracy).
LONG_REFERENCE_SHARE = 0.25


def in_words(n):
    if n < 0:
        return "minus " + in_words(-n)
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + ONES[n % 10])
    if n < 1000:
        rest = n % 100
        return ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + in_words(rest))
    if n < 1000000:
        rest = n % 1000
        head = in_words(n // 1000) + " thousand"
        if rest == 0:
            return head
        return head + (" and " if rest < 100 else " ") + in_words(rest)
    return str(n)


WORDS = """strawberry banana apple cherry raspberry blueberry mississippi committee balloon bookkeeper
coffee letter address success pepper parallel assessment possession necessary accommodate
butterfly hippopotamus tomorrow referral occurrence programming grammar embarrass millennium
broccoli zucchini spaghetti vacuum bubble puzzle giraffe kangaroo elephant umbrella
character banana independence curriculum dilemma mirror terror barrier carrot arrow
sorrow borrow marshmallow pineapple watermelon avocado coconut lemonade cinnamon vanilla
difficult beginning occasion recommend different daughter thoroughly rhythm syllable symmetry
calendar cemetery definitely environment government library February Wednesday separate tattoo
assassin bottleneck cappuccino chimpanzee dessert espresso fluffy glasses happiness illuminate
jellyfish kettle llama mammoth nonsense opossum paperback quizzes raccoon scissors tennis toffee
unnecessary vanilla waffle yellow abbreviation aggressive beekeeper cassette doorbell excellent
freezer goddess hallway innocent jabberwocky keepsake lollipop moccasin noodle oregano peppermint
referee satellite teepee volleyball woodpecker zeppelin""".split()

COUNTRIES = [
    ("France", "Paris"), ("Germany", "Berlin"), ("Italy", "Rome"), ("Spain", "Madrid"), ("Portugal", "Lisbon"),
    ("Japan", "Tokyo"), ("China", "Beijing"), ("India", "New Delhi"), ("Canada", "Ottawa"), ("Australia", "Canberra"),
    ("Brazil", "Brasilia"), ("Argentina", "Buenos Aires"), ("Mexico", "Mexico City"), ("Egypt", "Cairo"),
    ("Kenya", "Nairobi"), ("Nigeria", "Abuja"), ("Russia", "Moscow"), ("Turkey", "Ankara"), ("Greece", "Athens"),
    ("Norway", "Oslo"), ("Sweden", "Stockholm"), ("Finland", "Helsinki"), ("Denmark", "Copenhagen"),
    ("Poland", "Warsaw"), ("Austria", "Vienna"), ("Switzerland", "Bern"), ("Belgium", "Brussels"),
    ("Netherlands", "Amsterdam"), ("Ireland", "Dublin"), ("Iceland", "Reykjavik"), ("Hungary", "Budapest"),
    ("Czechia", "Prague"), ("Ukraine", "Kyiv"), ("Thailand", "Bangkok"), ("Vietnam", "Hanoi"),
    ("Indonesia", "Jakarta"), ("Philippines", "Manila"), ("South Korea", "Seoul"), ("Peru", "Lima"),
    ("Chile", "Santiago"), ("Colombia", "Bogota"), ("Cuba", "Havana"), ("Morocco", "Rabat"), ("Iran", "Tehran"),
    ("Iraq", "Baghdad"), ("Pakistan", "Islamabad"), ("Bangladesh", "Dhaka"), ("Nepal", "Kathmandu"),
    ("Mongolia", "Ulaanbaatar"), ("New Zealand", "Wellington"), ("Ethiopia", "Addis Ababa"), ("Ghana", "Accra"),
    ("Senegal", "Dakar"), ("Romania", "Bucharest"), ("Bulgaria", "Sofia"), ("Serbia", "Belgrade"),
    ("Croatia", "Zagreb"), ("Slovakia", "Bratislava"), ("Estonia", "Tallinn"), ("Latvia", "Riga"),
    ("Lithuania", "Vilnius"), ("Venezuela", "Caracas"), ("Bolivia", "Sucre"), ("Uruguay", "Montevideo"),
    ("Paraguay", "Asuncion"), ("Ecuador", "Quito"), ("Panama", "Panama City"), ("Costa Rica", "San Jose"),
    ("Guatemala", "Guatemala City"), ("Honduras", "Tegucigalpa"), ("Nicaragua", "Managua"), ("Jamaica", "Kingston"),
    ("Haiti", "Port-au-Prince"), ("Algeria", "Algiers"), ("Tunisia", "Tunis"), ("Libya", "Tripoli"),
    ("Sudan", "Khartoum"), ("Uganda", "Kampala"), ("Tanzania", "Dodoma"), ("Rwanda", "Kigali"), ("Angola", "Luanda"),
    ("Zambia", "Lusaka"), ("Zimbabwe", "Harare"), ("Mozambique", "Maputo"), ("Namibia", "Windhoek"),
    ("Botswana", "Gaborone"), ("Madagascar", "Antananarivo"), ("Mali", "Bamako"), ("Niger", "Niamey"),
    ("Cameroon", "Yaounde"), ("Somalia", "Mogadishu"), ("Saudi Arabia", "Riyadh"), ("Jordan", "Amman"),
    ("Syria", "Damascus"), ("Lebanon", "Beirut"), ("Israel", "Jerusalem"), ("Qatar", "Doha"), ("Oman", "Muscat"),
    ("Yemen", "Sanaa"), ("Kuwait", "Kuwait City"), ("Afghanistan", "Kabul"), ("Uzbekistan", "Tashkent"),
    ("Kazakhstan", "Astana"), ("Kyrgyzstan", "Bishkek"), ("Tajikistan", "Dushanbe"), ("Georgia", "Tbilisi"),
    ("Armenia", "Yerevan"), ("Azerbaijan", "Baku"), ("Sri Lanka", "Colombo"), ("Myanmar", "Naypyidaw"),
    ("Cambodia", "Phnom Penh"), ("Laos", "Vientiane"), ("Malaysia", "Kuala Lumpur"), ("Singapore", "Singapore"),
    ("Bhutan", "Thimphu"), ("Fiji", "Suva"), ("Papua New Guinea", "Port Moresby"), ("Slovenia", "Ljubljana"),
    ("Albania", "Tirana"), ("North Macedonia", "Skopje"), ("Montenegro", "Podgorica"), ("Bosnia", "Sarajevo"),
    ("Moldova", "Chisinau"), ("Belarus", "Minsk"), ("Luxembourg", "Luxembourg"), ("Malta", "Valletta"),
    ("Cyprus", "Nicosia"), ("Liechtenstein", "Vaduz"), ("Andorra", "Andorra la Vella"), ("Monaco", "Monaco"),
]


def split_by(items, key, heldout_share, seed):
    rng = random.Random(seed)
    items = sorted(set(items), key=key)
    rng.shuffle(items)
    k = max(1, int(len(items) * heldout_share))
    return items[k:], items[:k]


def speakable(n):
    # Words where people write them: small numbers and round hundreds; a
    # model of a million parameters cannot learn every spelling up to a thousand.
    return 0 <= n <= 20 or (n % 100 == 0 and 0 < n <= 1000)


def number_text(n, rng, style=None):
    if not speakable(n):
        return str(n)
    style = style or rng.choice(["digits", "digits", "words"])
    return str(n) if style == "digits" else in_words(n)


def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


class Corpus:
    def __init__(self, rng, words, countries, numbers, invented=0.0, echo=0.0, verbatim=0.0, long_references=False):
        self.rng, self.words, self.countries, self.numbers = rng, words, countries, numbers
        # Share of prompts with an answer in the reference's own phrasing (see finish).
        self.echo = echo
        # Share of prompts whose reference, word for word, is also paired
        # above a right answer in other words (see pairs).
        self.verbatim = verbatim
        # References that state the answer and then show the working, whose
        # first sentence alone is a right answer that copies only part of the
        # reference (the partial copy a verbatim pair may put below it).
        self.long_references = long_references
        self.partial = None
        # Share of letters and capitals prompts about invented words and
        # countries: with a few hundred real ones a small model memorises them
        # instead of learning to check the answer against the reference, which
        # is the skill the held-out words and countries test.
        self.invented = invented
        self.invented_cities = []

    def invented_name(self, syllables):
        rng = self.rng
        onset = "b c d f g h k l m n p r s t v z br tr st gr sh ch".split()
        vowel = "a e i o u ia ou ee oo".split()
        coda = ["", "", "n", "r", "l", "s", "m", "rr", "ll", "ss", "t"]
        return "".join(rng.choice(onset) + rng.choice(vowel) + rng.choice(coda) for _ in range(syllables))

    def pick_number(self, lo=0, hi=1000):
        while True:
            n = self.rng.choice(self.numbers)
            if lo <= n <= hi:
                return n

    # Each family returns (prompt, reference, [right answers], [wrong answers]).
    def letters(self):
        rng = self.rng
        word = self.invented_name(rng.randint(2, 4)) if rng.random() < self.invented else rng.choice(self.words)
        letters = sorted(set(word.lower()))
        letter = rng.choice(letters)
        n = word.lower().count(letter)
        spelled = ", ".join(f"'{c}'" for c in word.lower())
        prompt = rng.choice([
            f"How many '{letter}'s are there in the word '{word}'?",
            f"Count the letter {letter} in \"{word}\".",
            f"How many times does the letter '{letter}' appear in '{word}'?",
        ])
        style = rng.choice(["digits", "digits", "words"]) if speakable(n) else "digits"
        refs = [
            lambda k: f"There are {k} '{letter}'s in the word '{word}'.",
            lambda k: f"The letter '{letter}' appears {number_text(k, rng, style)} times in '{word}'.",
            lambda k: f"Spelling it out: {spelled}. So the answer is {k}.",
        ]
        if self.long_references and rng.random() < LONG_REFERENCE_SHARE:
            self.partial = refs[0](n)
            refs = [lambda k: f"There are {k} '{letter}'s in the word '{word}'. Spelling it out: {spelled}. "
                              f"So the answer is {k}."]
        ref = rng.choice(refs)
        wrong = [m for m in {n - 1, n + 1, n + 2, max(0, n - 2)} if m != n and m >= 0]

        def answer(k):
            style = rng.choice(["digits", "words"])
            t = number_text(k, rng, style)
            return rng.choice([
                f"{t}.",
                f"There are {t} '{letter}'s in '{word}'.",
                f"The word '{word}' has {t} {letter}'s.",
                f"Let's count the '{letter}'s in '{word}': {spelled}. There are {t} '{letter}'s, so the answer is {t}.",
                f"Answer: {t}",
            ])
        return self.finish(prompt, ref, n, [answer(n) for _ in range(3)], [answer(rng.choice(wrong)) for _ in range(3)],
                           lambda: rng.choice(wrong))

    def arithmetic(self):
        rng = self.rng
        op = rng.choice(["+", "-", "x"])
        a = self.pick_number(0, 1000)
        b = self.pick_number(0, 1000 if op != "x" else 40)
        r = a + b if op == "+" else a - b if op == "-" else a * b
        opword = {"+": "plus", "-": "minus", "x": "times"}[op]
        prompt = rng.choice([f"What is {a} {op} {b}?", f"Compute {a} {opword} {b}.", f"Calculate {a} {op} {b}."])
        refs = [lambda k: f"{a} {op} {b} = {k}.", lambda k: f"The result is {k}.",
                lambda k: f"{a} {opword} {b} equals {k}."]
        if self.long_references and rng.random() < LONG_REFERENCE_SHARE:
            self.partial = refs[0](r)
            refs = [lambda k: f"{a} {op} {b} = {k}. Working it out: {a} {opword} {b} gives {k}, so the result is {k}."]
        ref = rng.choice(refs)
        # Near misses (off by one or ten, the wrong operation) and plain wrong
        # results of the same size, as a weak policy makes them.
        near = [r + d for d in (1, -1, 10, -10, 100, 2)] + ([a - b] if op == "+" else [a + b])
        far = [rng.randint(max(0, r // 2), max(10, r * 2)) for _ in range(6)]
        wrong = [w for w in (near if rng.random() < 0.4 else far) if w != r] or [r + 1]

        def answer(k):
            t = number_text(k, rng)
            return rng.choice([f"{t}", f"The answer is {t}.", f"{a} {op} {b} = {t}.",
                               f"First I take {a}, then I apply {opword} {b}, which gives {t}. So the result is {t}."])
        return self.finish(prompt, ref, r, [answer(r) for _ in range(3)], [answer(rng.choice(wrong)) for _ in range(3)],
                           lambda: rng.choice(wrong))

    def capitals(self):
        rng = self.rng
        if rng.random() < self.invented:
            country = self.invented_name(rng.randint(2, 3)).capitalize() + rng.choice(["ia", "land", "stan", "a", ""])
            city = self.invented_name(rng.randint(2, 3)).capitalize()
            self.invented_cities.append(city)
        else:
            country, city = rng.choice(self.countries)
        prompt = rng.choice([f"What is the capital of {country}?", f"Name the capital city of {country}.",
                             f"Which city is the capital of {country}?"])
        ref = rng.choice([lambda c: f"The capital of {country} is {c}.", lambda c: f"{c}.",
                          lambda c: f"{c} is the capital of {country}."])
        # Wrong cities come from this split only: a held-out city never appears
        # in training, not even as a wrong answer the model could learn to shun.
        # Invented cities are wrong answers too, so "an unfamiliar name" is no cue.
        others = [c for _, c in self.countries if c != city] + [c for c in self.invented_cities[-200:] if c != city]

        def answer(c):
            return rng.choice([f"{c}.", f"The capital of {country} is {c}.", f"It is {c}.",
                               f"{country}'s capital city is {c}, which is also its largest centre of government."])
        return self.finish(prompt, ref, city, [answer(city) for _ in range(3)], [answer(rng.choice(others)) for _ in range(3)],
                           lambda: rng.choice(others))

    def numbers_yes_no(self):
        rng = self.rng
        kind = rng.choice(["prime", "even", "greater"])
        n = self.pick_number(2, 1000)
        if kind == "prime":
            truth = is_prime(n)
            prompt = f"Is {n} a prime number?"
            fact = lambda t: f"{n} is prime." if t else f"{n} is not prime."
        elif kind == "even":
            truth = n % 2 == 0
            prompt = rng.choice([f"Is {n} an even number?", f"Is {number_text(n, rng)} even?"])
            fact = lambda t: f"{n} is {'even' if t else 'odd'}."
        else:
            m = self.pick_number(0, 1000)
            truth = n > m
            prompt = f"Is {n} greater than {m}?"
            fact = lambda t: f"{n} is {'greater' if t else 'not greater'} than {m}."
        ref = rng.choice([lambda t: ("Yes. " if t else "No. ") + fact(t), lambda t: "Yes." if t else "No.", fact])

        def answer(yes):
            w = "Yes" if yes else "No"
            return rng.choice([f"{w}.", f"{w}, it is{'' if yes else ' not'}.", f"The answer is {w.lower()}.",
                               f"{w}. I checked it carefully: the statement about {n} is {'true' if yes else 'false'}."])
        return self.finish(prompt, ref, truth, [answer(truth) for _ in range(3)], [answer(not truth) for _ in range(3)],
                           lambda: not truth)

    def finish(self, prompt, ref, truth, right, wrong, wrong_value):
        # The reference's own words are a right answer, and the reference's
        # words with another result are a wrong one: a policy often copies
        # the reference's phrasing, and only the content may decide.
        if self.echo and self.rng.random() < self.echo:
            right[0] = ref(truth)
        if self.echo and self.rng.random() < self.echo:
            wrong[0] = ref(wrong_value())
        return prompt, ref(truth), right, wrong

    @staticmethod
    def pair(family, prompt, reference, chosen, rejected):
        return {
            "prompt": [{"role": "user", "content": prompt}],
            "reference": [{"role": "assistant", "content": reference}],
            "chosen": [{"role": "assistant", "content": chosen}],
            "rejected": [{"role": "assistant", "content": rejected}],
            "family": family.__name__,
        }

    def families(self, weights):
        # Families in turn, each as many times as its weight.
        families = [f for f, w in zip([self.letters, self.arithmetic, self.capitals, self.numbers_yes_no], weights)
                    for _ in range(w)]
        return (families[i % len(families)] for i in itertools.count())

    def pairs(self, count, weights=(1, 1, 1, 1)):
        out = []
        for family in self.families(weights):
            if len(out) >= count:
                break
            self.partial = None
            prompt, reference, right, wrong = family()
            # Two pairs per prompt, one with a long wrong answer against a short
            # right one when the phrasings allow it.
            right.sort(key=len)
            wrong.sort(key=len)
            for chosen, rejected in [(right[0], wrong[-1]), (right[-1], wrong[0])]:
                if chosen != rejected:
                    out.append(self.pair(family, prompt, reference, chosen, rejected))
            if self.verbatim and self.rng.random() < self.verbatim:
                other = self.other_words(reference, right)
                if other:
                    out.append(self.pair(family, prompt, reference, reference, other))
        return out[:count]

    def other_words(self, reference, right):
        # A right answer that is not the reference word for word: where the
        # reference is long, half the time its first sentence alone.
        if self.partial and self.rng.random() < 0.5:
            return self.partial
        other_words = [r for r in right if r != reference]
        return self.rng.choice(other_words) if other_words else None

    def verbatim_pairs(self, count):
        # One pair per prompt: the reference word for word above a right answer in other words.
        out = []
        for family in self.families((1, 1, 1, 1)):
            if len(out) >= count:
                break
            self.partial = None
            prompt, reference, right, _ = family()
            other = self.other_words(reference, right)
            if other:
                out.append(self.pair(family, prompt, reference, reference, other))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--train", type=int, default=16000)
    ap.add_argument("--heldout", type=int, default=800)
    ap.add_argument("--invented", type=float, default=0.5,
                    help="share of training letters/capitals prompts about invented words and countries")
    ap.add_argument("--weights", default="1,1,1,1",
                    help="training prompts of each family (letters, arithmetic, capitals, numbers) in each turn")
    ap.add_argument("--echo", type=float, default=0.0,
                    help="share of training prompts with a right and a wrong answer in the reference's phrasing")
    ap.add_argument("--refine", type=int, default=0,
                    help="pairs for a last stage of training, written to refine.jsonl")
    ap.add_argument("--verbatim", type=float, default=0.0,
                    help="share of refine.jsonl's prompts that also pair the reference word for word "
                         "above a right answer in other words")
    args = ap.parse_args()
    for name in ("invented", "echo", "verbatim"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            ap.error(f"--{name} {getattr(args, name)}: a share between 0 and 1")
    try:
        weights = [int(w) for w in args.weights.split(",")]
        if len(weights) != 4 or min(weights) < 0 or sum(weights) == 0:
            raise ValueError
    except ValueError:
        ap.error(f"--weights {args.weights}: four whole numbers, not all zero (letters, arithmetic, capitals, numbers)")
    words_train, words_held = split_by(WORDS, str, 0.2, args.seed)
    # "strawberry" is the seed example's word: keep it out of training.
    if "strawberry" in words_train:
        words_train.remove("strawberry")
        words_held.append("strawberry")
    countries_train, countries_held = split_by(COUNTRIES, lambda c: c[0], 0.2, args.seed + 1)
    numbers_train, numbers_held = split_by(range(0, 1001), int, 0.2, args.seed + 2)
    train = Corpus(random.Random(args.seed), words_train, countries_train, numbers_train, args.invented,
                   args.echo).pairs(args.train, weights)
    held = Corpus(random.Random(args.seed + 100), words_held, countries_held, numbers_held).pairs(args.heldout)
    held_verbatim = Corpus(random.Random(args.seed + 200), words_held, countries_held, numbers_held,
                           long_references=True).verbatim_pairs(args.heldout // 4)
    refine = Corpus(random.Random(args.seed + 300), words_train, countries_train, numbers_train, args.invented,
                    args.echo, args.verbatim, long_references=True).pairs(args.refine, weights) if args.refine else None
    os.makedirs(args.out, exist_ok=True)
    settings = {"seed": args.seed, "train": args.train, "heldout": args.heldout, "invented": args.invented,
                "echo": args.echo, "weights": weights, "refine": args.refine, "verbatim": args.verbatim,
                "heldout_words": sorted(words_held), "heldout_countries": sorted(c for c, _ in countries_held)}
    jsonl = lambda rows: "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    files = [("train.jsonl", jsonl(train)), ("heldout.jsonl", jsonl(held)),
             ("heldout-verbatim.jsonl", jsonl(held_verbatim)), ("settings.json", json.dumps(settings, indent=2))]
    if refine is not None:
        files.append(("refine.jsonl", jsonl(refine)))
    for name, text in files:
        tmp = os.path.join(args.out, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, os.path.join(args.out, name))
    print(f"wrote {len(train)} training, {len(refine or [])} refining, {len(held)} held-out and "
          f"{len(held_verbatim)} held-out verbatim pairs to {args.out}")


if __name__ == "__main__":
    main()
